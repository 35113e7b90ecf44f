import { z } from 'zod';

export const SESSION_TYPES = ['development', 'review', 'planning'] as const;
export const SessionType = z.enum(SESSION_TYPES);
export type SessionType = z.infer<typeof SessionType>;

/** starting → active ⇄ paused → ending → ended, or failed from anywhere before ended. */
export const SESSION_STATUSES = ['starting', 'active', 'paused', 'ending', 'ended', 'failed'] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** The statuses of a session that is still open: listed by default, can be ended. */
export const OPEN_SESSION_STATUSES = [
  'starting',
  'active',
  'paused',
  'ending',
] as const satisfies readonly SessionStatus[];

export function isOpenStatus(status: SessionStatus): boolean {
  return (OPEN_SESSION_STATUSES as readonly string[]).includes(status);
}

/**
 * The statuses that hold a project's one active slot (the database's
 * `sessions_one_active_per_project` index): paused and ending sessions leave it free.
 */
export const ACTIVE_SLOT_STATUSES = ['starting', 'active'] as const satisfies readonly SessionStatus[];

export const END_REASONS = ['user', 'inactivity', 'failed'] as const;
export const EndReason = z.enum(END_REASONS);
export type EndReason = z.infer<typeof EndReason>;
