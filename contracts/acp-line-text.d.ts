/** See acp-line-text.js: one stored `acp` output line as text a person reads. */
export type AcpPartKind =
  | 'started'
  | 'message'
  | 'thought'
  | 'user_message'
  | 'tool'
  | 'tool_update'
  | 'plan'
  | 'diff'
  | 'commands'
  | 'mode'
  | 'update'
  | 'permission'
  | 'answered'
  | 'refused'
  | 'input_error'
  | 'cancelling'
  | 'end'
  | 'unreadable';
export interface AcpPart {
  kind: AcpPartKind;
  text: string;
  /** A message's or thought's own text: an agent streams it in pieces a reader runs on as one. */
  chunk?: string;
}
export declare function acpLineParts(line: unknown): AcpPart[];
export declare function acpLineText(line: unknown): string;
