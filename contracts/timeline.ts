import { z } from 'zod';

export const TIMELINE_EVENT_TYPES = [
  'session.created',
  'workspace.cloning',
  'workspace.cloned',
  'context.loaded',
  'services.checked',
  'session.active',
  'session.paused',
  'session.resumed',
  'session.ending',
  'summary.generated',
  'session.ended',
  'session.failed',
  'session.recovered',
  'workspace.recloned',
  'workspace.carried_forward',
  'workspace.not_carried_forward',
  'file.edited',
  'plan.drafted',
  'context.edited',
  'preferences.changed',
  'nanocycle.queued',
  'nanocycle.started',
  'nanocycle.run_restarted',
  'nanocycle.run_reattached',
  'nanocycle.completed',
  'nanocycle.failed',
  'nanocycle.cancelled',
  'nanocycle.rejected',
  'nanocycle.merged',
  'nanocycle.conflict',
  'branch.pushed',
  'branch.push_failed',
  'holdpoint.opened',
  'holdpoint.resolved',
  'webhook.failed',
  'review.approved',
  'review.rejected',
  'review.merged',
  'review.conflict',
  'review.pushed',
] as const;
export const TimelineEventType = z.enum(TIMELINE_EVENT_TYPES);
export type TimelineEventType = z.infer<typeof TimelineEventType>;

export const TimelineEvent = z
  .object({
    sessionId: z.string(),
    /** 1, 2, 3, … per session, without gaps: the SSE event id and the `Last-Event-ID` to resume from. */
    seq: z.number().int(),
    type: TimelineEventType,
    at: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineEvent' });
export type TimelineEvent = z.infer<typeof TimelineEvent>;

export const NewTimelineEvent = z.object({
  sessionId: z.string(),
  type: TimelineEventType,
  data: z.record(z.string(), z.unknown()).default({}),
  /** Makes the write idempotent: a retried activity writing the same key adds nothing. */
  key: z.string().optional(),
});
export type NewTimelineEvent = z.input<typeof NewTimelineEvent>;
