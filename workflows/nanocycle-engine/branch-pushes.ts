import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { SessionActivities } from '../../activities/index.js';
import { ACTIVITY_OPTIONS } from '../activity-options.js';
import type { NanocycleBook } from './nanocycle-book.js';

const acts = proxyActivities<SessionActivities>(ACTIVITY_OPTIONS.engineRecords);

/** The project's push policy, carried out: what goes to the remote, and its trace on the timeline. */
export class BranchPushes {
  constructor(private readonly book: NanocycleBook) {}

  /** Push policy: the session branch goes to the project's remote; a refusal is on the timeline. */
  async pushBranch(why: string): Promise<void> {
    const state = this.book.state;
    if (!state.workspacePath) return;
    const pushed = await this.book.host.run(ACTIVITY_OPTIONS.engineGit, (on) =>
      on.pushSessionBranch({ workspace: state.workspacePath!, branch: state.branch }),
    );
    await this.recordPush(pushed.pushed, {
      branch: state.branch,
      commit: pushed.commit,
      why,
      error: pushed.error,
    });
  }

  /**
   * Push policy: a merged nanocycle's branch goes to the remote under its own name (every policy
   * but `never`). A refusal, or a push that could not be made at all, is on the timeline and the
   * nanocycle stays merged.
   */
  async pushNanocycle(id: string): Promise<void> {
    const state = this.book.state;
    const nc = this.book.brief(id)!;
    let outcome: { pushed: boolean; commit: string | null; error: string | null };
    try {
      outcome = await this.book.host.run(ACTIVITY_OPTIONS.nanocyclePush, (on) =>
        on.pushNanocycleBranch({ workspace: state.workspacePath!, branch: nc.branch, base: state.branch }),
      );
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      outcome = { pushed: false, commit: nc.commit ?? null, error: error.cause?.message ?? error.message };
    }
    await this.recordPush(outcome.pushed, {
      branch: nc.branch,
      commit: outcome.commit,
      why: `${id} merged`,
      nanocycleId: id,
      error: outcome.error,
    });
  }

  /** The push on the timeline: made, or refused (with the remote's answer). */
  private recordPush(pushed: boolean, data: Record<string, unknown>) {
    const sessionId = this.book.state.sessionId;
    return acts.recordTransition({
      sessionId,
      changes: {},
      event: {
        sessionId,
        type: pushed ? 'branch.pushed' : 'branch.push_failed',
        data,
        key: this.book.eventKey(),
      },
    });
  }
}
