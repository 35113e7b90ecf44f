import { SessionId } from '../contracts/ids.js';
import { sessionIdOrCurrent } from './current-session.js';
import { validateValue } from './request-validation.js';

/** A command's `[ID]`: the one given, else the current session, checked to look like `sess_a1b2c3`. */
export async function resolveSessionId(home: string, given: string | undefined): Promise<string> {
  return validateValue(SessionId, await sessionIdOrCurrent(home, given), 'ID');
}
