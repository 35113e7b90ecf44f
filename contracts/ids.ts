import { z } from 'zod';

/** `sess_` and six lowercase alphanumerics, as the product promises (`sess_a1b2c3`). */
export const SESSION_ID_PATTERN = /^sess_[a-z0-9]{6}$/;
export const SessionId = z.string().regex(SESSION_ID_PATTERN, 'a session id looks like sess_a1b2c3');

export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ProjectName = z
  .string()
  .regex(
    PROJECT_NAME_PATTERN,
    'a project name is 1-63 lowercase letters, digits and "-", starting with a letter or digit',
  );

export function sessionWorkflowId(sessionId: string): string {
  return `session-${sessionId}`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `randomByte` is injected so this stays pure: the API passes crypto, tests pass a sequence. */
export function newSessionId(randomByte: () => number): string {
  let suffix = '';
  while (suffix.length < 6) {
    const byte = randomByte() & 0xff;
    // Reject the tail of the byte range so every character is equally likely.
    if (byte < 252) suffix += ALPHABET[byte % 36];
  }
  return `sess_${suffix}`;
}
