import { z } from 'zod';

/**
 * What the timeline says about a session's own life: created, started, paused, ended. Loose
 * objects: a field written by another version of Tevis is kept, not dropped, and shown raw.
 */

const Reason = z.looseObject({ reason: z.string() });

export const SESSION_EVENTS = {
  'session.created': z.looseObject({ project: z.string(), type: z.string(), branch: z.string() }),
  'session.active': z.looseObject({}),
  /** `reason` when the session was paused for it (a hold point waited too long), not by a person. */
  'session.paused': z.looseObject({ reason: z.string().optional() }),
  'session.resumed': z.looseObject({}),
  'session.ending': Reason,
  'summary.generated': z.looseObject({
    nanocyclesCompleted: z.number(),
    filesChanged: z.number(),
    commits: z.number(),
    timeSpentSeconds: z.number(),
  }),
  'session.ended': Reason,
  'session.failed': z.looseObject({ error: z.string() }),
  /** The status it had when its workflow was started again, and which run that is. */
  'session.recovered': z.looseObject({ status: z.string(), run: z.number() }),
};
