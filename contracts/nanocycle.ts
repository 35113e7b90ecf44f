import { z } from 'zod';

/** NC-001, NC-002, … per session. */
export const NANOCYCLE_ID_PATTERN = /^NC-\d{3,}$/;
export const NanocycleId = z.string().regex(NANOCYCLE_ID_PATTERN, 'a nanocycle id looks like NC-001');

export const NanocycleName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a nanocycle name is 1-40 lowercase letters, digits and "-", starting with a letter or digit');

export const NANOCYCLE_STATUSES = ['queued', 'running', 'awaiting_approval', 'completed', 'merged', 'failed', 'cancelled', 'rejected', 'conflict'] as const;
export const NanocycleStatus = z.enum(NANOCYCLE_STATUSES);
export type NanocycleStatus = z.infer<typeof NanocycleStatus>;

export function nanocycleId(sequence: number): string {
  return `NC-${String(sequence).padStart(3, '0')}`;
}

/** `feat/nc-007-auth-system`: the nanocycle's own branch, made from the session branch. */
export function nanocycleBranch(id: string, name: string): string {
  return `feat/${id.toLowerCase()}-${name}`;
}
