/** See agent-option-picks.js: the option a person's approve or reject answers an ACP agent with. */
export declare function pickOption<T extends { kind: string }>(
  options: readonly T[],
  decision: 'approve' | 'reject',
): T | null;
