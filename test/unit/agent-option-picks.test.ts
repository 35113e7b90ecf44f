import { describe, expect, it } from 'vitest';
import {
  chosenOptionProblem,
  decisionOf,
  pickOption,
  unofferedOptionRefusal,
} from '../../contracts/agent-option-picks.js';

const OPTIONS = [
  { optionId: 'once', kind: 'allow_once' },
  { optionId: 'always', kind: 'allow_always' },
  { optionId: 'no', kind: 'reject_once' },
  { optionId: 'never', kind: 'reject_always' },
];

describe("a person's choice among an ACP agent's options", () => {
  it("takes a named option of the decision's side, else the rule's pick", () => {
    expect(pickOption(OPTIONS, 'approve', 'always')?.optionId).toBe('always');
    expect(pickOption(OPTIONS, 'reject', 'never')?.optionId).toBe('never');
    expect(pickOption(OPTIONS, 'approve')?.optionId).toBe('once');
    // A named option the API would refuse is not taken: the rule's pick answers instead.
    expect(pickOption(OPTIONS, 'approve', 'never')?.optionId).toBe('once');
    expect(pickOption(OPTIONS, 'reject', 'gone')?.optionId).toBe('no');
  });

  it('says why a named option cannot be taken, naming those that can', () => {
    expect(chosenOptionProblem(OPTIONS, 'approve', 'always')).toBeNull();
    expect(chosenOptionProblem(OPTIONS, 'approve', 'no')).toBe(
      'option "no" is a reject_once option, not one to approve with: its approve options are "once", "always"',
    );
    expect(chosenOptionProblem(OPTIONS, 'reject', 'maybe')).toBe(
      'the agent offers no option "maybe": its reject options are "no", "never"',
    );
    expect(chosenOptionProblem(OPTIONS.slice(0, 2), 'reject', 'once')).toBe(
      'option "once" is an allow_once option, not one to reject with: it offers no option to reject',
    );
  });

  it('refuses a named option with the hold point, the problem and the ids of its side', () => {
    expect(unofferedOptionRefusal('HP-001-agent-1', OPTIONS, 'approve', 'always')).toBeNull();
    expect(unofferedOptionRefusal('HP-001-agent-1', OPTIONS, 'approve', 'never')).toEqual({
      message:
        'HP-001-agent-1: option "never" is a reject_always option, not one to approve with: its approve options are "once", "always"',
      options: ['once', 'always'],
    });
    expect(unofferedOptionRefusal('HP-001-agent-1', OPTIONS.slice(0, 2), 'reject', 'x')).toEqual({
      message: 'HP-001-agent-1: the agent offers no option "x": it offers no option to reject',
      options: [],
    });
  });

  it('sides each kind with the decision that answers with it', () => {
    expect(OPTIONS.map((o) => decisionOf(o.kind))).toEqual(['approve', 'approve', 'reject', 'reject']);
    expect(decisionOf('other')).toBeNull();
  });
});
