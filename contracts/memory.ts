import { z } from 'zod';
import { MAX_INT4 } from './storable.js';

/** One entry of a project's memory: an earlier session's summary (kind `summary`) or a note. */
export const MemoryEntry = z
  .object({
    id: z.number().int(),
    sessionId: z.string().nullable(),
    kind: z.string(),
    content: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'MemoryEntry' });
export type MemoryEntry = z.infer<typeof MemoryEntry>;

export const MEMORY_PAGE_DEFAULT = 20;
export const MEMORY_PAGE_MAX = 100;

/** Newest first; `before` (an entry id, the last page's `next`) pages back through older entries. */
export const MemoryQuery = z.object({
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a memory kind is lowercase letters, digits and "-", e.g. summary')
    .optional(),
  limit: z.coerce.number().int().min(1).max(MEMORY_PAGE_MAX).default(MEMORY_PAGE_DEFAULT),
  before: z.coerce.number().int().min(1).max(MAX_INT4).optional(),
});
export type MemoryQuery = z.infer<typeof MemoryQuery>;

export const MemoryPage = z
  .object({
    entries: z.array(MemoryEntry),
    /** Pass as `before` for the next (older) page; null when there is none. */
    next: z.number().int().nullable(),
  })
  .meta({ id: 'MemoryPage' });
export type MemoryPage = z.infer<typeof MemoryPage>;

export const MemoryEntryId = z.coerce.number().int().min(1).max(MAX_INT4);
