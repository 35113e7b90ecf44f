import { z } from 'zod';
import { NANOCYCLE_EVENTS } from './timeline-events/nanocycle-events.js';
import { REVIEW_EVENTS } from './timeline-events/review-events.js';
import { SESSION_EVENTS } from './timeline-events/session-events.js';
import { WORKSPACE_EVENTS } from './timeline-events/workspace-events.js';

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
  'workspace.moved',
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

/** One schema per event type for its `data`; `satisfies` keeps it to exactly the types above. */
export const TIMELINE_EVENT_DATA = {
  ...SESSION_EVENTS,
  ...WORKSPACE_EVENTS,
  ...NANOCYCLE_EVENTS,
  ...REVIEW_EVENTS,
} satisfies Record<TimelineEventType, z.ZodType<Record<string, unknown>>>;
type EventDataSchemas = typeof TIMELINE_EVENT_DATA;

/** What an event of `type` carries. */
export type TimelineEventData<T extends TimelineEventType> = z.infer<EventDataSchemas[T]>;

/** A stored event, by its type: `event.type === 'nanocycle.merged'` makes `event.data.commit` a string. */
export type TimelineEvent = {
  [T in TimelineEventType]: {
    sessionId: string;
    /** 1, 2, 3, … per session, without gaps: the SSE event id and the `Last-Event-ID` to resume from. */
    seq: number;
    type: T;
    at: string;
    data: TimelineEventData<T>;
  };
}[TimelineEventType];
/** The stored event of one type. */
export type TimelineEventOf<T extends TimelineEventType> = Extract<TimelineEvent, { type: T }>;

export const TimelineEvent = z
  .discriminatedUnion(
    'type',
    TIMELINE_EVENT_TYPES.map((type) =>
      z.object({
        sessionId: z.string(),
        seq: z.number().int(),
        type: z.literal(type),
        at: z.string(),
        data: TIMELINE_EVENT_DATA[type] as z.ZodType<Record<string, unknown>>,
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({ id: 'TimelineEvent' }) as unknown as z.ZodType<TimelineEvent>;

/** An event to write, typed by its type: what activities, the API and the stores write. */
export type NewTimelineEvent = {
  [T in TimelineEventType]: {
    sessionId: string;
    type: T;
    data: z.input<EventDataSchemas[T]>;
    /** Makes the write idempotent: a retried activity writing the same key adds nothing. */
    key?: string;
  };
}[TimelineEventType];

/**
 * An event as the workflows hand it to an activity: their helpers write many types through one
 * function, so its data is checked against its type's schema when it is written, not compiled.
 */
export const UncheckedTimelineEvent = z.object({
  sessionId: z.string(),
  type: TimelineEventType,
  data: z.record(z.string(), z.unknown()).default({}),
  key: z.string().optional(),
});
export type UncheckedTimelineEvent = z.input<typeof UncheckedTimelineEvent>;

/** An event of either kind, its data checked against the schema of its type (a ZodError if it is not). */
export function checkTimelineEvent(input: NewTimelineEvent | UncheckedTimelineEvent): NewTimelineEvent {
  const event = UncheckedTimelineEvent.parse(input);
  const data = TIMELINE_EVENT_DATA[event.type].parse(event.data);
  return { ...event, data } as NewTimelineEvent;
}
