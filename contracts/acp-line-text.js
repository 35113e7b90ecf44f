// @ts-check
/**
 * One stored `acp` output line (the ACP runner's typed JSON, tpu/acp/runner-lines.ts) as text a
 * person reads, for the CLI and Mission Control alike: plain JavaScript so the page loads this very
 * file (the API serves it as /web/acp-line-text.js). The line is written inside the TPU, where the
 * agent can reach, so it is untrusted: any input gives a short text and never throws, terminal
 * control and direction-changing characters are dropped, and every field is cut short.
 */
import { cut, diffCounts, flat, PLAN_MARKS, permissionOptionsText, shortPath } from './acp-text-parts.js';

/** A line too long to be the runner's is not parsed at all: its length is all that is said. */
const MAX_LINE_CHARS = 1_000_000;
/** A message or thought chunk keeps its newlines, up to this much. */
const MAX_CHUNK_CHARS = 4000;
const MAX_PLAN_ENTRIES = 50;

/**
 * @typedef {'started' | 'message' | 'thought' | 'user_message' | 'tool' | 'tool_update' | 'plan' | 'diff'
 *   | 'commands' | 'mode' | 'update' | 'permission' | 'answered' | 'refused' | 'input_error'
 *   | 'cancelling' | 'end' | 'unreadable'} AcpPartKind
 * @typedef {{ kind: AcpPartKind, text: string, chunk?: string }} AcpPart  chunk: a message's or
 *   thought's own text, which an agent streams in small pieces that a reader runs on as one text
 */

const isObject = (/** @type {unknown} */ v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** @param {unknown} v */
const record = (v) => /** @type {Record<string, unknown>} */ (isObject(v) ? v : {});

/** An ACP content block in words: its text, or what it is when it is not text. */
function contentText(/** @type {unknown} */ block) {
  const b = record(block);
  if (b.type === 'text' && typeof b.text === 'string')
    return cut(b.text, MAX_CHUNK_CHARS, { keepLines: true });
  // A link names its uri; an embedded resource keeps it inside.
  if (b.type === 'resource_link' || b.type === 'resource')
    return `[${flat(b.type)} ${flat(b.uri ?? record(b.resource).uri)}]`;
  return `[${flat(b.type ?? 'content')}]`;
}

/** The diffs the runner lifted out of a tool call: `diff src/a.ts (+3 −1)` each. */
function diffParts(/** @type {unknown} */ diffs) {
  if (!Array.isArray(diffs)) return [];
  return diffs.slice(0, 20).map((d) => {
    const diff = record(d);
    const { added, removed } = diffCounts(diff.oldText, diff.newText);
    return /** @type {AcpPart} */ ({
      kind: 'diff',
      text: `diff ${shortPath(diff.path)} (+${added} −${removed})${diff.oldText == null ? ' new file' : ''}`,
    });
  });
}

/** `tool [edit] Edit src/a.ts (pending)`: a tool call as the agent announces it. */
function toolCallText(/** @type {Record<string, unknown>} */ u) {
  const kind = u.kind ? `[${flat(u.kind, 40)}] ` : '';
  const title = flat(u.title ?? u.toolCallId ?? 'untitled');
  return `tool ${kind}${title} (${flat(u.status ?? 'pending', 40)})`;
}

/** `tool Edit src/a.ts → completed`: a change to a tool call already announced. */
function toolUpdateText(/** @type {Record<string, unknown>} */ u) {
  const title = flat(u.title ?? u.toolCallId ?? 'untitled');
  return u.status ? `tool ${title} → ${flat(u.status, 40)}` : `tool ${title} updated`;
}

/** A plan, an entry a line, each with its status mark. */
function planText(/** @type {unknown} */ entries) {
  const list = Array.isArray(entries) ? entries : [];
  const lines = list.slice(0, MAX_PLAN_ENTRIES).map((e) => {
    const entry = record(e);
    const mark = PLAN_MARKS[String(entry.status)] ?? '[?]';
    return `  ${mark} ${flat(entry.content ?? '')}`;
  });
  if (list.length > MAX_PLAN_ENTRIES) lines.push(`  … ${list.length - MAX_PLAN_ENTRIES} more`);
  return [`plan (${list.length} ${list.length === 1 ? 'entry' : 'entries'})`, ...lines].join('\n');
}

/** @returns {AcpPart[]} */
function updateParts(/** @type {Record<string, unknown>} */ line) {
  const u = record(line.update);
  const kind = flat(line.kind ?? u.sessionUpdate, 60) || 'unknown';
  switch (kind) {
    case 'message': {
      const chunk = contentText(u.content);
      return [{ kind: 'message', text: chunk, chunk }];
    }
    case 'thought': {
      const chunk = contentText(u.content);
      return [{ kind: 'thought', text: `thought: ${chunk}`, chunk }];
    }
    case 'user_message':
      return [{ kind: 'user_message', text: `user: ${contentText(u.content)}` }];
    case 'tool_call':
      return [{ kind: 'tool', text: toolCallText(u) }, ...diffParts(line.diffs)];
    case 'tool_call_update':
      return [{ kind: 'tool_update', text: toolUpdateText(u) }, ...diffParts(line.diffs)];
    case 'plan':
      return [{ kind: 'plan', text: planText(u.entries) }];
    case 'commands': {
      const commands = Array.isArray(u.availableCommands) ? u.availableCommands : [];
      const names = commands.slice(0, 30).map((c) => `/${flat(record(c).name ?? '?', 60)}`);
      return [{ kind: 'commands', text: cut(`commands: ${names.join(' ') || '(none)'}`, 500) }];
    }
    case 'mode':
      return [{ kind: 'mode', text: `mode: ${flat(u.currentModeId, 100) || '?'}` }];
    default:
      return [{ kind: 'update', text: `update ${kind}` }];
  }
}

/** @returns {AcpPart[]} */
function partsOf(/** @type {Record<string, unknown>} */ line) {
  switch (line.type) {
    case 'started':
      return [
        {
          kind: 'started',
          text: `agent ${flat(line.agent, 200) || '?'} started (session ${flat(line.sessionId, 100) || '?'}${
            line.resumed === true ? ', resumed' : line.resumed === false ? ', a new one' : ''
          })`,
        },
      ];
    case 'resume_failed':
      return [{ kind: 'started', text: `could not resume the agent's session: ${flat(line.message ?? '')}` }];
    case 'update':
      return updateParts(line);
    case 'permission': {
      const call = record(line.toolCall);
      const kind = call.kind ? `[${flat(call.kind, 40)}] ` : '';
      const title = flat(call.title ?? call.toolCallId ?? 'a tool call');
      return [
        {
          kind: 'permission',
          text: `asks: ${kind}${title} — options: ${permissionOptionsText(line.options)}`,
        },
      ];
    }
    case 'permission_answered':
      return [{ kind: 'answered', text: `answered: ${flat(line.outcome, 200) || '?'}` }];
    case 'refused':
      return [
        {
          kind: 'refused',
          text: `refused ${flat(line.method, 60) || '?'} ${shortPath(line.path)}: ${flat(line.reason ?? '')}`,
        },
      ];
    case 'input_error':
      return [{ kind: 'input_error', text: `input not understood: ${flat(line.message ?? '')}` }];
    case 'cancelling':
      return [{ kind: 'cancelling', text: `cancelling: ${flat(line.why ?? '')}` }];
    case 'end': {
      const code = typeof line.exitCode === 'number' ? ` (exit ${line.exitCode})` : '';
      const message = line.message ? `: ${flat(line.message)}` : '';
      return [{ kind: 'end', text: `end: ${flat(line.stopReason, 60) || '?'}${code}${message}` }];
    }
    default:
      return [
        { kind: 'unreadable', text: `acp line of an unknown type: ${flat(line.type, 60) || '(none)'}` },
      ];
  }
}

/**
 * The parts of one stored `acp` line, each with its kind so a reader can set them apart (a tool
 * call with a diff is two parts).
 * @param {unknown} line  the stored line's text
 * @returns {AcpPart[]}
 */
export function acpLineParts(line) {
  if (typeof line !== 'string') return [{ kind: 'unreadable', text: 'acp line that is not text' }];
  if (line.length > MAX_LINE_CHARS)
    return [{ kind: 'unreadable', text: `acp line too long to show (${line.length} characters)` }];
  let parsed;
  try {
    parsed = JSON.parse(line);
  } catch {
    return [{ kind: 'unreadable', text: `acp line that is not JSON: ${flat(line, 120)}` }];
  }
  if (!isObject(parsed))
    return [{ kind: 'unreadable', text: `acp line that is not an object: ${flat(line, 120)}` }];
  try {
    return partsOf(parsed);
  } catch {
    // A getter or a shape no branch foresaw: still a line, never a throw.
    return [{ kind: 'unreadable', text: 'acp line that could not be read' }];
  }
}

/**
 * One stored `acp` line as text: its parts a line each.
 * @param {unknown} line
 * @returns {string}
 */
export function acpLineText(line) {
  return acpLineParts(line)
    .map((p) => p.text)
    .join('\n');
}
