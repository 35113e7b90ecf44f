import { type Connection, isGrpcServiceError } from '@temporalio/client';

export type SearchAttributeTypeName =
  | 'Keyword'
  | 'Text'
  | 'Int'
  | 'Bool'
  | 'Datetime'
  | 'Double'
  | 'KeywordList';

type AddSearchAttributesRequest = Parameters<Connection['operatorService']['addSearchAttributes']>[0];
type IndexedValueType = NonNullable<AddSearchAttributesRequest['searchAttributes']>[string];

// Values of temporal.api.enums.v1.IndexedValueType (in @temporalio/proto),
// written out so this file needs no direct dependency on the proto package.
const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, IndexedValueType> = {
  Text: 1 as IndexedValueType,
  Keyword: 2 as IndexedValueType,
  Int: 3 as IndexedValueType,
  Double: 4 as IndexedValueType,
  Bool: 5 as IndexedValueType,
  Datetime: 6 as IndexedValueType,
  KeywordList: 7 as IndexedValueType,
};

const GRPC_ALREADY_EXISTS = 6;

/**
 * Registers custom search attributes on a cluster Tevis did not start. Idempotent: attributes
 * that exist with the same type are left alone, and a concurrent registration by another worker
 * (ALREADY_EXISTS) counts as success. An attribute that exists with another type is an error,
 * because upserts would fail at runtime.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attrs: Record<string, SearchAttributeTypeName>,
): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = customAttributes ?? {};
  const missing: Record<string, IndexedValueType> = {};
  for (const [name, typeName] of Object.entries(attrs)) {
    const wanted = INDEXED_VALUE_TYPE[typeName];
    const current = existing[name];
    if (current === undefined) missing[name] = wanted;
    else if (current !== wanted) {
      const currentName =
        Object.entries(INDEXED_VALUE_TYPE).find(([, v]) => v === current)?.[0] ?? String(current);
      throw new Error(
        `search attribute ${name} exists in namespace ${namespace} as ${currentName}, Tevis needs ${typeName}`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return;
    throw err;
  }
}
