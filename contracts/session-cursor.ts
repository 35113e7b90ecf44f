import { SESSION_ID_PATTERN } from './ids.js';

/**
 * Where a page of `GET /sessions` stopped: the last session's start time in microseconds since the
 * epoch (Postgres keeps microseconds; a JavaScript Date would round them away and skip sessions
 * that started within the same millisecond) and its id, which breaks ties. Opaque to clients.
 */
export interface SessionCursor {
  startedAtMicros: string;
  id: string;
}

const MICROS = /^\d{1,17}$/;

export function formatSessionCursor(cursor: SessionCursor): string {
  return Buffer.from(`${cursor.startedAtMicros}.${cursor.id}`).toString('base64url');
}

/** The cursor in `text`, or null when it is not one Tevis gave out. */
export function parseSessionCursor(text: string): SessionCursor | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) return null;
  const [micros, id, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('.');
  if (rest.length > 0 || !micros || !id || !MICROS.test(micros) || !SESSION_ID_PATTERN.test(id)) return null;
  return { startedAtMicros: micros, id };
}
