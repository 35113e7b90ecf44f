import { branchNameProblem } from '../contracts/git-inputs.js';

/**
 * A branch name checked before git sees it: one that starts with `-` or holds `..` would be read
 * as an option or a range. Thrown as a plain error, a fault of the caller, not of the request.
 */
export function assertBranch(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new Error(`branch name ${problem}`);
}
