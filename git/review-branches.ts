import { branchNameProblem } from '../contracts/git-inputs.js';
import { TevisError } from '../contracts/errors.js';
import { workspaceRepository } from './repository.js';
import { runGit } from './run-git.js';

/**
 * The branches of a review session. The workspace is a clone of the reviewed branch; its base
 * (the project's default branch) is there as `origin/<base>` from the clone, or is fetched.
 * A bad name is the request's mistake (`validation`), not a fault.
 */

export function assertReviewBranch(branch: string, what: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw new TevisError('validation', `${what} branch name ${problem}`);
}

export const verifiedCommit = (workspace: string, ref: string) =>
  runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    repo: workspaceRepository(workspace),
  }).then(
    (sha) => sha.trim(),
    () => null,
  );

/** The base as the remote has it (fetched when the clone did not bring it). */
export async function baseRef(workspace: string, base: string): Promise<string> {
  const remote = `refs/remotes/origin/${base}`;
  if (await verifiedCommit(workspace, remote)) return remote;
  await runGit(['fetch', '--quiet', 'origin', `+refs/heads/${base}:${remote}`], {
    repo: workspaceRepository(workspace),
    remote: true,
  }).catch(() => '');
  if (await verifiedCommit(workspace, remote)) return remote;
  throw new TevisError(
    'not-found',
    `the base branch "${base}" is not on the project's remote; set the project's default branch (\`tevis project update P --branch B\`)`,
  );
}
