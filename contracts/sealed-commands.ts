/**
 * What the session and nanocycle workflows need to tell a command Tevis sent from one anybody
 * who can reach the Temporal frontend could send. Pure: workflows, API and tests import it.
 *
 * Every payload Tevis writes is sealed with its codec key (runtime/payload-sealing-codec.ts).
 * The worker decodes a payload the key did not seal into UNSEALED (instead of failing, which
 * would fail the workflow task and wedge the workflow forever), so a message in plaintext
 * reaches its handler as this marker and is refused or ignored there.
 */
export const UNSEALED_MARK = 'tevis:unsealed-payload';

export interface Unsealed {
  [UNSEALED_MARK]: true;
}

export const UNSEALED: Unsealed = { [UNSEALED_MARK]: true };

export function isUnsealed(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[UNSEALED_MARK] === true
  );
}

/**
 * Rides along with every command the API sends a session, as its own (sealed) argument. Sealing
 * proves who sent it; the fields make a sealed stamp copied out of a history useless elsewhere:
 * bound to one session, to one Update (Temporal runs an Update id once per run), and fresh.
 */
export interface CommandStamp {
  sessionId: string;
  /** The Update's own id; absent on signals. */
  updateId?: string;
  /** ISO time the API made it. */
  issuedAt: string;
}

/** How far a stamp's time may be from the workflow's: covers clock skew and a queued task. */
export const STAMP_MAX_AGE_MS = 10 * 60 * 1000;

/** Why a stamp is not good for this command, or null when it is. */
export function stampProblem(
  stamp: unknown,
  expected: { sessionId: string; updateId?: string; nowMs: number },
): string | null {
  if (stamp === undefined || stamp === null) return 'no command stamp';
  if (isUnsealed(stamp) || typeof stamp !== 'object') return 'not sealed by Tevis';
  const s = stamp as Partial<CommandStamp>;
  if (s.sessionId !== expected.sessionId) return 'stamped for another session';
  if (expected.updateId !== undefined && s.updateId !== expected.updateId)
    return 'stamped for another command';
  const issued = typeof s.issuedAt === 'string' ? Date.parse(s.issuedAt) : NaN;
  if (!Number.isFinite(issued) || Math.abs(expected.nowMs - issued) > STAMP_MAX_AGE_MS)
    return 'stale command stamp';
  return null;
}

/** The one refusal an unstamped command gets: it names nothing of the session. */
export const UNSTAMPED_REFUSAL = 'refused: only Tevis (its API, holding the codec key) may send this command';
