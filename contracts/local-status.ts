import { z } from 'zod';

/**
 * What `tevis-local status --json` prints: the local install checked from this host, without the
 * API (see runtime/local-checks.ts). `ok` is false when a required check fails; the TPU executor
 * is optional, as in `tevis status` (sessions work without it, only nanocycles need one).
 */
export const LocalCheck = z.object({
  name: z.enum(['tevis up', 'API port', 'Temporal', 'database', 'TPU executor', 'API health']),
  ok: z.boolean(),
  optional: z.boolean(),
  detail: z.string(),
  /** What to do about a failed check; null when it passed. */
  fix: z.string().nullable(),
});
export type LocalCheck = z.infer<typeof LocalCheck>;

export const LocalStatus = z.object({
  ok: z.boolean(),
  home: z.string(),
  checks: z.array(LocalCheck),
});
export type LocalStatus = z.infer<typeof LocalStatus>;
