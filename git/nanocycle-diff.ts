import type { NanocycleDiff } from '../contracts/nanocycle-records.js';
import { assertBranch } from './branch-name.js';
import { diffRange } from './diff-range.js';

/**
 * The diffs the nanocycle API shows (`GET /sessions/{id}/nanocycles/{nc}/diff`): a nanocycle's
 * branch against the session branch, or what its merge brought in once it is merged.
 */

/** What the nanocycle's branch changes against the session branch it came from. */
export async function diffNanocycle(input: {
  workspace: string;
  base: string;
  branch: string;
  maxPatchBytes?: number;
}): Promise<NanocycleDiff> {
  assertBranch(input.branch);
  assertBranch(input.base);
  return nanocycleDiff(input.workspace, `${input.base}...${input.branch}`, input.maxPatchBytes);
}

/**
 * What a merge brought in: its second parent against where it forked from the first. Once a
 * nanocycle is merged its branch is part of the session branch and `base...branch` is empty.
 */
export async function diffMerge(input: {
  workspace: string;
  commit: string;
  maxPatchBytes?: number;
}): Promise<NanocycleDiff> {
  if (!/^[0-9a-f]{40}$/.test(input.commit)) throw new Error(`not a commit id: ${input.commit}`);
  return nanocycleDiff(input.workspace, `${input.commit}^1...${input.commit}^2`, input.maxPatchBytes);
}

/** The nanocycle API's diff: a patch that was cut says so in its last line. */
async function nanocycleDiff(
  workspace: string,
  range: string,
  maxPatchBytes?: number,
): Promise<NanocycleDiff> {
  const diff = await diffRange(workspace, range, maxPatchBytes);
  return { files: diff.files, patch: diff.truncated ? `${diff.patch}\n… (truncated)\n` : diff.patch };
}
