import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { idempotencyKeys } from './schema.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How long a key answers repeats; after that the same key runs the request again. */
const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/**
 * A first request still `running` after this long died with its API instance (every request is
 * bounded by deadlines far below it): a repeat may take the key over instead of waiting forever.
 */
const ABANDONED_AFTER_MINUTES = 10;

const expired = () =>
  lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${IDEMPOTENCY_KEY_TTL_HOURS})`);
const abandoned = () =>
  and(
    eq(idempotencyKeys.status, 'running'),
    lt(idempotencyKeys.createdAt, sql`now() - make_interval(mins => ${ABANDONED_AFTER_MINUTES})`),
  );

/**
 * Takes the key for a first request: true when this caller runs it, otherwise the row of the
 * request that holds it. Times are the database's, so API instances with skewed clocks agree.
 */
export async function claimIdempotencyKey(
  db: Database,
  claim: { scope: string; key: string; requestHash: string },
): Promise<true | IdempotencyRow> {
  for (;;) {
    const inserted = await db
      .insert(idempotencyKeys)
      .values({ scope: claim.scope, key: claim.key, requestHash: claim.requestHash, status: 'running' })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length) return true;
    const [row] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key)));
    if (!row) continue; // released between the two statements: try to take it again
    // An expired or abandoned key is free again: drop it and take it (a fresh claim is neither).
    const stale = await db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.scope, claim.scope),
          eq(idempotencyKeys.key, claim.key),
          or(expired(), abandoned()),
        ),
      )
      .returning({ key: idempotencyKeys.key });
    if (stale.length) continue;
    return row;
  }
}

export async function storeIdempotentAnswer(
  db: Database,
  scope: string,
  key: string,
  answer: StoredAnswer,
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      status: 'done',
      responseStatus: answer.status,
      responseHeaders: answer.headers,
      responseBody: answer.body,
      completedAt: new Date(),
    })
    .where(
      and(
        eq(idempotencyKeys.scope, scope),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.status, 'running'),
      ),
    );
}

/** The first request ended without an answer worth keeping (a 5xx): a repeat runs it again. */
export async function releaseIdempotencyKey(db: Database, scope: string, key: string): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.scope, scope),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.status, 'running'),
      ),
    );
}

/** Lazily, from the middleware: keys past their time are of no use to anyone. */
export async function pruneExpiredIdempotencyKeys(db: Database): Promise<void> {
  await db.delete(idempotencyKeys).where(expired());
}
