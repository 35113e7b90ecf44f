import { z } from 'zod';
import { MAX_INT4 } from './storable.js';

/**
 * A planning session's plan, kept as numbered versions: each draft that changes the text is a new
 * version (1, 2, 3, … per session); drafting the latest text again adds none and answers the
 * version that already holds it.
 */
export const PlanVersionNumber = z.coerce.number().int().min(1).max(MAX_INT4);

export const PlanVersionSummary = z
  .object({ version: z.number().int(), length: z.number().int(), createdAt: z.string() })
  .meta({ id: 'PlanVersionSummary' });
export type PlanVersionSummary = z.infer<typeof PlanVersionSummary>;

export const PlanVersion = z
  .object({
    sessionId: z.string(),
    version: z.number().int(),
    plan: z.string(),
    length: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'PlanVersion' });
export type PlanVersion = z.infer<typeof PlanVersion>;

export const PlanVersionList = z
  .object({ sessionId: z.string(), versions: z.array(PlanVersionSummary) })
  .meta({ id: 'PlanVersionList' });

export const PlanDrafted = z
  .object({
    sessionId: z.string(),
    version: z.number().int(),
    length: z.number().int(),
    /** False when the text was the latest version's already: no version was added. */
    created: z.boolean(),
  })
  .meta({ id: 'PlanDrafted' });
export type PlanDrafted = z.infer<typeof PlanDrafted>;

/** The latest plan of each of a project's sessions that drafted one, newest first. */
export const ProjectPlans = z
  .object({ project: z.string(), plans: z.array(PlanVersionSummary.extend({ sessionId: z.string() })) })
  .meta({ id: 'ProjectPlans' });
