import type { NanocycleOutcomeStatus } from '../contracts/nanocycle-statuses.js';

/** How a nanocycle's own workflow ended, as it reports to its session. */
export interface NanocycleOutcome {
  status: NanocycleOutcomeStatus;
  commit: string | null;
  filesChanged: number;
  executor: string | null;
  tpuSeconds: number;
  detail: string | null;
  /** The worker host that served none of the nanocycle's steps in time: the session moves off it. */
  hostLost?: string;
}
