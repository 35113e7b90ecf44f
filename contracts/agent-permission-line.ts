import { AgentPermissionRequest } from './agent-permission.js';

/**
 * The runner's `permission` line (tpu/acp/runner-lines.ts) as the request an `agent` hold point
 * shows. The line comes from inside the TPU, so nothing of it is trusted: long text is cut, and
 * a line that still does not fit the schema gives null (its request is answered `cancelled`).
 */
export function permissionRequestOf(
  line: string,
): { request: AgentPermissionRequest } | { problem: string; requestId?: number } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { problem: 'the permission line is not JSON' };
  }
  if (!isObject(json)) return { problem: 'the permission line is not a JSON object' };
  const value = json;
  const toolCall = (isObject(value.toolCall) ? value.toolCall : {}) as Record<string, unknown>;
  const locations = Array.isArray(toolCall.locations) ? toolCall.locations : [];
  const candidate = {
    requestId: value.id,
    toolCall: {
      toolCallId: text(toolCall.toolCallId, 1024) ?? '',
      title: text(toolCall.title, 4000),
      kind: text(toolCall.kind, 100),
      paths: locations
        .slice(0, 50)
        .map((l) => (isObject(l) ? text(l.path, 4096) : null))
        .filter((p): p is string => p !== null),
      input: toolCall.rawInput === undefined ? null : cut(JSON.stringify(toolCall.rawInput) ?? 'null', 8000),
    },
    options: Array.isArray(value.options)
      ? value.options
          .slice(0, 20)
          .map((o) =>
            isObject(o) ? { optionId: o.optionId, name: text(o.name, 1000) ?? '', kind: o.kind } : o,
          )
      : value.options,
  };
  const parsed = AgentPermissionRequest.safeParse(candidate);
  if (!parsed.success) {
    const problem = `the permission request does not fit: ${parsed.error.issues[0]?.message}`;
    // Its number, when it has one, so the runner can answer it `cancelled` rather than wait.
    const id = value.id;
    return typeof id === 'number' && Number.isInteger(id) && id > 0
      ? { problem, requestId: id }
      : { problem };
  }
  return { request: parsed.data };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' ? cut(value, max) : null;
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** The hold point's reason: what the agent asks to do, in one line a list can show. */
export function permissionReason(request: AgentPermissionRequest): string {
  const what = request.toolCall.title ?? request.toolCall.kind ?? 'a tool call';
  const where = request.toolCall.paths.length > 0 ? ` (${request.toolCall.paths.join(', ')})` : '';
  const options = request.options.map((o) => o.name || o.optionId).join(' / ');
  return `the agent asks permission: ${what}${where}; options: ${options}`.slice(0, 4000);
}
