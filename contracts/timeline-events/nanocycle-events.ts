import { z } from 'zod';

/** What the timeline says about nanocycles, their hold points and the branches they push. */

const Nanocycle = z.looseObject({ nanocycleId: z.string() });

/** A run started again on a new attempt of its activity (`seq`: its note in the output). */
const RunAgain = Nanocycle.extend({
  run: z.number(),
  attempt: z.number(),
  reason: z.string(),
  message: z.string(),
  seq: z.number(),
});

/**
 * How a nanocycle ended. Its own workflow says all of it; the session's says only `detail` (a
 * nanocycle cancelled before it ran, or lost), or who rejected it at which hold point.
 */
const Outcome = Nanocycle.extend({
  commit: z.string().nullable().optional(),
  filesChanged: z.number().optional(),
  detail: z.string().nullable().optional(),
  tpuSeconds: z.number().optional(),
});

/** A branch pushed to the project's remote, or refused: the session's, a nanocycle's, a review's base. */
const Push = z.looseObject({
  branch: z.string(),
  commit: z.string().nullable(),
  why: z.string(),
  error: z.string().nullable().optional(),
  /** When the branch is a merged nanocycle's. */
  nanocycleId: z.string().optional(),
});

export const NANOCYCLE_EVENTS = {
  'nanocycle.queued': Nanocycle.extend({ name: z.string(), branch: z.string() }),
  'nanocycle.started': Nanocycle.extend({ branch: z.string(), run: z.number() }),
  'nanocycle.run_restarted': RunAgain,
  'nanocycle.run_reattached': RunAgain,
  'nanocycle.completed': Outcome,
  'nanocycle.failed': Outcome,
  'nanocycle.cancelled': Outcome,
  'nanocycle.rejected': Outcome.extend({
    holdPointId: z.string().optional(),
    comment: z.string().nullable().optional(),
  }),
  'nanocycle.merged': Nanocycle.extend({ commit: z.string() }),
  'nanocycle.conflict': Nanocycle.extend({ conflicts: z.array(z.string()) }),
  'branch.pushed': Push,
  'branch.push_failed': Push,
  'holdpoint.opened': z.looseObject({
    id: z.string(),
    nanocycleId: z.string().nullable(),
    kind: z.string(),
    reason: z.string(),
  }),
  'holdpoint.resolved': z.looseObject({
    id: z.string(),
    nanocycleId: z.string().nullable(),
    kind: z.string(),
    status: z.string(),
    by: z.string(),
    comment: z.string().nullable(),
  }),
  /** A hold point's webhook could not be delivered: `event` is the hold point event it carried. */
  'webhook.failed': z.looseObject({
    event: z.string(),
    holdPointId: z.string(),
    error: z.string().nullable(),
  }),
};
