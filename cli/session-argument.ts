import { SessionId } from '../contracts/ids.js';
import { readCurrentSession, sessionIdOrCurrent } from './current-session.js';
import type { TevisApiClient } from './api-client.js';
import { UsageError } from './errors.js';
import { validateValue } from './request-validation.js';

/** A command's `[ID]`: the one given, else the current session, checked to look like `sess_a1b2c3`. */
export async function resolveSessionId(home: string, given: string | undefined): Promise<string> {
  return validateValue(SessionId, await sessionIdOrCurrent(home, given), 'ID');
}

/** The `--session ID` option of the nanocycle and hold point commands, read by resolveSessionOption. */
export const SESSION_OPTION = ['--session <id>', 'session id (default: the current session)'] as const;

/** A command's `--session ID` (nanocycles, hold points): the one given, else the current session. */
export async function resolveSessionOption(home: string, given: string | undefined): Promise<string> {
  if (given !== undefined) return validateValue(SessionId, given, '--session');
  const current = await readCurrentSession(home);
  if (!current)
    throw new UsageError(
      'no current session; pass --session ID, or choose one with `tevis session switch ID` (`tevis session list` shows them)',
    );
  return validateValue(SessionId, current, 'the current session');
}

/**
 * `session summary [ID]`: the one given, else the current session, else the session that ended
 * last (ending a session makes it no longer current, and its summary is what one asks for next).
 */
export async function resolveSummarySessionId(
  home: string,
  given: string | undefined,
  client: () => Promise<TevisApiClient>,
): Promise<string> {
  if (given !== undefined) return validateValue(SessionId, given, 'ID');
  const current = await readCurrentSession(home);
  if (current) return validateValue(SessionId, current, 'the current session');
  const ended = (await (await client()).listSessions({ all: true })).filter(
    (s) => s.status === 'ended' && s.endedAt,
  );
  const last = ended.sort((a, b) => Date.parse(b.endedAt!) - Date.parse(a.endedAt!))[0];
  if (!last)
    throw new UsageError(
      'no current session, and no session has ended yet; pass an ID (`tevis session list --all` shows them)',
    );
  return last.id;
}
