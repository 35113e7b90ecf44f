import { z } from 'zod';

/** What the timeline says about a review session: the decision, the merge into the base, its push. */

const Review = z.looseObject({ base: z.string(), branch: z.string() });
const Decision = Review.extend({ by: z.string().nullable(), comment: z.string().nullable() });

export const REVIEW_EVENTS = {
  'review.approved': Decision,
  'review.rejected': Decision,
  'review.merged': Review.extend({ commit: z.string(), by: z.string().nullable() }),
  'review.conflict': Review.extend({ conflicts: z.array(z.string()) }),
  'review.pushed': Review.extend({ commit: z.string().nullable(), why: z.string() }),
};
