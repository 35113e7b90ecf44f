/** See agent-option-picks.js: the option a person's approve or reject answers an ACP agent with. */
export declare function decisionOf(kind: string): 'approve' | 'reject' | null;
export declare function pickOption<T extends { kind: string; optionId: string }>(
  options: readonly T[],
  decision: 'approve' | 'reject',
  chosen?: string,
): T | null;
export declare function chosenOptionProblem(
  options: readonly { kind: string; optionId: string }[],
  decision: 'approve' | 'reject',
  chosen: string,
): string | null;
export declare function unofferedOptionRefusal(
  holdPointId: string,
  options: readonly { kind: string; optionId: string }[],
  decision: 'approve' | 'reject',
  chosen: string,
): { message: string; options: string[] } | null;
