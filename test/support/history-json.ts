import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

/**
 * Workflow histories as the proto3 JSON that `temporal workflow show --output json` and the Web UI
 * write. This is what `historyToJSON` / `historyFromJSON` of `@temporalio/common/lib/proto-utils`
 * do, but those fail in this install ("type must be a Type"): npm hoisted protobufjs 7 (for
 * @grpc/proto-loader and dockerode) to the root, so @temporalio/common and @temporalio/proto each
 * got their own nested protobufjs 8, and common's JSON codec rejects the message types built by
 * proto's copy. Here the codec is loaded from the protobufjs that @temporalio/proto itself uses, so
 * types and codec always match, whatever the layout.
 */

type History = temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History;
}

const require = createRequire(import.meta.url);
const protoEntry = require.resolve('@temporalio/proto');
const fromProto = createRequire(protoEntry);
const proto = require('@temporalio/proto') as typeof import('@temporalio/proto');
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
};
const { toJson, fromJson } = fromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  return JSON.stringify(
    toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

/** A History message (event ids as Longs), which `Worker.runReplayHistory` takes as it is. */
export function historyFromJSON(json: unknown): History {
  return fromJson(historyType, json, { ignoreUnknownFields: true });
}
