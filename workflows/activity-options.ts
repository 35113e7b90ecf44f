import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { TPU_FAILURE_TYPES } from '../contracts/tpu-failures.js';

/**
 * The timeouts and retries the workflows schedule activities with, one named set per kind of
 * work, for `proxyActivities`. Git activities heartbeat while git runs, so a lost worker is
 * noticed in seconds, not minutes.
 */

/** The patient retry of background writes: the record catches up, however long Postgres is away. */
const PATIENT_RETRY = { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 };

/** A worker lost in a git activity is noticed this soon. */
const GIT_HEARTBEAT = '20 seconds';

/**
 * A worker lost in a TPU run is noticed this soon: the executors heartbeat every second (and the
 * worker sends at most one a second, see worker/session-worker.ts), so two may go missing before
 * the run moves on. The retry re-attaches to the running container, so the output goes on a few
 * seconds after the worker was lost (bench/recovery.ts measures it).
 */
const TPU_HEARTBEAT = '3 seconds';

export const ACTIVITY_OPTIONS = {
  /**
   * The record writes an Update waits on before it answers a person (see unrecorded-write.ts):
   * bounded to seconds, since the API is waiting.
   */
  answering: {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      maximumInterval: '5 seconds',
      nonRetryableErrorTypes: ['unrecordable'],
    },
  },
  /**
   * Session and nanocycle records and timeline events written as the work goes. A write takes
   * milliseconds (a connection attempt gives up after 3 s): the limit is how long a worker killed
   * inside one holds its session up before another worker writes it again. At 1 minute (5 for
   * the engine's) the chaos run saw sessions stand still that long (bench/chaos.ts).
   */
  records: { startToCloseTimeout: '20 seconds', retry: PATIENT_RETRY },
  /** The nanocycle engine's own writes (statuses, hold points and their webhooks of 5 s a try, push events). */
  engineRecords: { startToCloseTimeout: '30 seconds', retry: PATIENT_RETRY },
  /** Merges of nanocycle branches and pushes of the session branch. */
  engineGit: { startToCloseTimeout: '5 minutes', heartbeatTimeout: GIT_HEARTBEAT, retry: PATIENT_RETRY },
  /** A remote that does not answer is given a few tries, then the push is reported as failed. */
  nanocyclePush: {
    startToCloseTimeout: '6 minutes',
    heartbeatTimeout: GIT_HEARTBEAT,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '30 seconds',
      maximumAttempts: 3,
      nonRetryableErrorTypes: ['validation', 'workspace-repository-missing'],
    },
  },
  /** Clones; a dead worker is noticed in seconds, and the clone restarts on another. */
  workspace: {
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: GIT_HEARTBEAT,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '1 minute',
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['validation', 'clone-failed'],
    },
  },
  /** The session's summary and the clean-up after it. */
  summary: {
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  },
  /** A nanocycle's worktree, commit and the agent's question. */
  nanocycleGit: {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: GIT_HEARTBEAT,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  },
  /** A review session's writes: a missing session or a refused value is not retried. */
  reviewRecords: {
    startToCloseTimeout: '5 minutes',
    retry: { ...PATIENT_RETRY, nonRetryableErrorTypes: ['validation', 'not-found'] },
  },
  /** A review merge that fails other than by conflicting (a broken workspace) fails the same way again. */
  reviewMerge: {
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: GIT_HEARTBEAT,
    retry: {
      initialInterval: '2 seconds',
      maximumInterval: '30 seconds',
      maximumAttempts: 3,
      nonRetryableErrorTypes: ['validation', 'not-found'],
    },
  },
  reviewPush: {
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: GIT_HEARTBEAT,
    retry: { ...PATIENT_RETRY, nonRetryableErrorTypes: ['validation', 'not-found'] },
  },
  /** A planning session's commit of a context document. */
  contextGit: {
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
  },
} satisfies Record<string, ActivityOptions>;

/**
 * The time an ACP run's questions may wait for a person in all. It does not count toward the run's
 * timeout (activities/tpu/work-clock.ts), so the run's activities may last that much longer; past
 * it they time out as a hang would, and the run is picked up again (docker) or restarted (sandbox).
 */
const ACP_PERSON_SECONDS = 7 * 24 * 3600;

/** How long a TPU run's activity may last: its timeout, and an ACP run's time waiting on a person. */
function runSeconds(timeoutSeconds: number, acp: boolean): number {
  return timeoutSeconds + 300 + (acp ? ACP_PERSON_SECONDS : 0);
}

/** A TPU run: as long as the project's timeout allows, and a few minutes for the container around it. */
export function tpuActivityOptions(timeoutSeconds: number, acp = false): ActivityOptions {
  return {
    startToCloseTimeout: `${runSeconds(timeoutSeconds, acp)} seconds`,
    // A dead worker is noticed in seconds; the retry re-attaches to the running container.
    heartbeatTimeout: TPU_HEARTBEAT,
    // Cancelling waits until the container is stopped and removed.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // A lost or stopping worker's run is picked up half a second later; an engine that does not
    // answer is still waited for some 30 s in all (0.5 + 1 + 2 + 4 + 8 + 16 s between attempts).
    retry: {
      initialInterval: '500 milliseconds',
      maximumInterval: '30 seconds',
      maximumAttempts: 7,
      nonRetryableErrorTypes: [TPU_FAILURE_TYPES.imageMissing],
    },
  };
}

/**
 * Waiting for an ACP agent's next permission request: as long as its TPU run may last. It only
 * reads the record, so a lost worker's wait is taken up by another within its heartbeat timeout;
 * cancelled, it stops at once (the run it watched has ended).
 */
export function agentPermissionWaitOptions(timeoutSeconds: number): ActivityOptions {
  return {
    startToCloseTimeout: `${runSeconds(timeoutSeconds, true)} seconds`,
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
  };
}

/**
 * Telling an ACP run's runner an answer: a write to its stdin, retried for as long as the engine
 * is away (the run waits for it too; a run that has ended is an answer, not an error). A write
 * repeated after a cut connection names the request it answered, so it settles nothing else.
 */
export const AGENT_ANSWER_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};
