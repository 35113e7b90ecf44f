/**
 * OpenAPI links: where the id a response carries can be used next. They let a client — or a
 * stateful fuzzer — go from "created a session" to that session's nanocycles, hold points and
 * timeline without guessing ids. Kept as one table (by the operationIds documentedRoute derives)
 * because a link is about two routes at once, not either one of them; a unit test checks that every
 * link names an operation and parameters that exist.
 */

type Parameters = Record<string, string>;
interface LinkSpec {
  /** `operationId` and status of the response the id comes from. */
  from: string;
  status: number;
  /** Operations the id leads to, and where each of their path parameters comes from. */
  to: Record<string, Parameters>;
}

/** Every read and action on one session, given where its id is found. */
function sessionOperations(id: string): Record<string, Parameters> {
  const operations = [
    'getSessionsById',
    'getSessionsByIdEvents',
    'getSessionsByIdNanocycles',
    'postSessionsByIdNanocycles',
    'getSessionsByIdHolds',
    'getSessionsByIdOutput',
    'getSessionsByIdSummary',
    'getSessionsByIdFiles',
    'putSessionsByIdPlan',
    'getSessionsByIdMemory',
    'getSessionsByIdReview',
    'postSessionsByIdPause',
    'postSessionsByIdResume',
    'postSessionsByIdSwitch',
    'postSessionsByIdEnd',
    'postSessionsByIdRecover',
  ];
  return Object.fromEntries(operations.map((op) => [op, { id }]));
}

/** Every read and action on one nanocycle, given where its id is found (the session's is in the path). */
function nanocycleOperations(nc: string): Record<string, Parameters> {
  const operations = [
    'getSessionsByIdNanocyclesByNcDiff',
    'getSessionsByIdNanocyclesByNcLogs',
    'postSessionsByIdNanocyclesByNcCancel',
    'postSessionsByIdNanocyclesByNcMerge',
  ];
  return Object.fromEntries(operations.map((op) => [op, { id: '$request.path.id', nc }]));
}

const LINKS: LinkSpec[] = [
  {
    from: 'postProjects',
    status: 201,
    to: {
      getProjectsByName: { name: '$response.body#/name' },
      patchProjectsByName: { name: '$response.body#/name' },
    },
  },
  {
    from: 'getProjects',
    status: 200,
    to: { getProjectsByName: { name: '$response.body#/projects/0/name' } },
  },
  { from: 'postSessions', status: 201, to: sessionOperations('$response.body#/id') },
  { from: 'getSessions', status: 200, to: sessionOperations('$response.body#/sessions/0/id') },
  {
    from: 'postSessionsByIdNanocycles',
    status: 201,
    to: { ...nanocycleOperations('$response.body#/id'), getSessionsByIdHolds: { id: '$request.path.id' } },
  },
  {
    from: 'getSessionsByIdNanocycles',
    status: 200,
    to: nanocycleOperations('$response.body#/nanocycles/0/id'),
  },
  {
    from: 'getSessionsByIdHolds',
    status: 200,
    to: Object.fromEntries(
      ['postSessionsByIdHoldsByHpApprove', 'postSessionsByIdHoldsByHpReject'].map((op) => [
        op,
        { id: '$request.path.id', hp: '$response.body#/holdPoints/0/id' },
      ]),
    ),
  },
];

interface Operation {
  operationId?: string;
  responses?: Record<string, { links?: Record<string, unknown> }>;
}

/** The document with the links added to the responses they start from. */
export function withLinks<D extends { paths?: object }>(doc: D): D {
  const operations = new Map<string, Operation>();
  for (const item of Object.values((doc.paths ?? {}) as Record<string, object>)) {
    for (const operation of Object.values(item) as Operation[])
      if (operation?.operationId) operations.set(operation.operationId, operation);
  }
  for (const { from, status, to } of LINKS) {
    const response = operations.get(from)?.responses?.[String(status)];
    if (!response) throw new Error(`OpenAPI link from ${from} ${status}: no such operation or response`);
    response.links = {
      ...response.links,
      ...Object.fromEntries(
        Object.entries(to).map(([operationId, parameters]) => [operationId, { operationId, parameters }]),
      ),
    };
  }
  return doc;
}
