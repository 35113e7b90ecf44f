import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { pushesNanocycleBranches, pushPolicyOf } from '../../contracts/execution-settings.js';
import type { SessionHoldKind } from '../../contracts/nanocycle-statuses.js';
import { ACTIVITY_OPTIONS } from '../activity-options.js';
import { HandlerMutex } from '../handler-mutex.js';
import type { WorkspaceActivities } from '../workspace-host.js';
import { BranchPushes } from './branch-pushes.js';
import type { NanocycleBook } from './nanocycle-book.js';

/** How the merge queue opens the hold point of a merge that conflicted. */
export type OpenHold = (id: string, kind: SessionHoldKind, reason: string, attempt?: number) => Promise<void>;

/**
 * Merges nanocycle branches into the session branch one at a time, in the order they were asked
 * for (they share the workspace), then pushes what the project's push policy says. A conflict
 * opens a hold point: resolved on the branch and approved, the nanocycle is merged again.
 */
export class MergeQueue {
  private readonly mutex = new HandlerMutex({ releaseInChain: true });
  readonly pushes: BranchPushes;

  constructor(
    private readonly book: NanocycleBook,
    private readonly openHold: OpenHold,
  ) {
    this.pushes = new BranchPushes(book);
  }

  /** Merges asked for and not yet done. */
  get pending(): number {
    return this.mutex.pending;
  }

  /** Settles once every merge asked for so far is done (or failed). */
  settled(): Promise<unknown> {
    return this.mutex.settled();
  }

  enqueue(id: string): Promise<void> {
    return this.mutex.runExclusive(() => this.merge(id));
  }

  private async merge(id: string): Promise<void> {
    const { state, execution } = this.book;
    const nc = this.book.brief(id)!;
    if (!state.workspacePath) throw new Error('the session has no workspace');
    let outcome: Awaited<ReturnType<WorkspaceActivities['mergeNanocycle']>>;
    try {
      outcome = await this.mergeOnHost(id);
    } catch (error) {
      if (!isMissingBranch(error)) throw error;
      // Made in a workspace since cloned again: on a worker host taken for lost (workspace-move.ts),
      // or by `tevis session recover` after the workspace was gone.
      nc.detail = `its branch ${nc.branch} is not in the workspace, which was made again since (its worker host taken for lost, or the workspace gone); create the nanocycle again`;
      await this.book.setStatus(id, 'failed', 'nanocycle.failed', { detail: nc.detail });
      return;
    }
    if (outcome.merged) {
      nc.commit = outcome.commit;
      nc.detail = null;
      await this.book.setStatus(id, 'merged', 'nanocycle.merged', { commit: outcome.commit });
      // Histories from before nanocycle branches were pushed merged without it.
      if (pushesNanocycleBranches(pushPolicyOf(execution)) && patched('push-nanocycle-branches'))
        await this.pushes.pushNanocycle(id);
      if (execution.push === 'on-merge') await this.pushes.pushBranch(`${id} merged`);
    } else {
      nc.detail = `conflicts in ${outcome.conflicts.join(', ')}`;
      await this.book.setStatus(id, 'conflict', 'nanocycle.conflict', { conflicts: outcome.conflicts });
      nc.conflicts = (nc.conflicts ?? 0) + 1;
      const attempt = nc.conflicts;
      await this.openHold(
        id,
        'conflict',
        `merging ${nc.branch} conflicts in ${outcome.conflicts.join(', ')}; resolve it on the branch and approve to merge again, or reject`,
        attempt,
      );
    }
  }

  private mergeOnHost(id: string) {
    const { state } = this.book;
    const nc = this.book.brief(id)!;
    return this.book.host.run(ACTIVITY_OPTIONS.engineGit, (on) =>
      on.mergeNanocycle({
        workspace: state.workspacePath!,
        branch: nc.branch,
        message: `Merge ${id}: ${nc.name}`,
      }),
    );
  }
}

/** The branch to merge is not in the workspace: it was made on a worker host since lost. */
function isMissingBranch(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === 'nanocycle-branch-missing'
  );
}
