import type { LogLine } from '../../contracts/nanocycle-records.js';

/** A stored ACP runner line (stream `acp`), parsed. */
export type AcpLine = { type: string; kind?: string } & Record<string, unknown>;

export function acpLines(lines: LogLine[]): AcpLine[] {
  return lines.filter((l) => l.stream === 'acp').map((l) => JSON.parse(l.line) as AcpLine);
}

/** The stored acp lines' types, updates with their kind (`update:plan`), in order. */
export function acpTypes(lines: LogLine[]): string[] {
  return acpLines(lines).map((l) => (l.type === 'update' ? `update:${l.kind}` : l.type));
}

/** The first acp line of `type`. */
export function acpLine(lines: LogLine[], type: string): AcpLine | undefined {
  return acpLines(lines).find((l) => l.type === type);
}

/** The texts of the agent's `message` updates, in order. */
export function acpMessages(lines: LogLine[]): string[] {
  return acpLines(lines)
    .filter((l) => l.type === 'update' && l.kind === 'message')
    .map((l) => (l.update as { content?: { text?: string } }).content?.text ?? '');
}
