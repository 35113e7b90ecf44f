import type { Session } from '../../contracts/session.js';
import { formatTimestamp, renderTable } from '../output.js';

/** `ID  PROJECT  STARTED  STATUS`, the current session marked with `*` before its ID. */
export function renderSessionTable(sessions: Session[], currentId: string | undefined): string {
  if (!sessions.length) return 'no sessions; create one with `tevis session create --project NAME`';
  const rows = sessions.map((s) => [
    `${s.id === currentId ? '*' : ' '} ${s.id}`,
    s.project,
    formatTimestamp(s.startedAt),
    s.status,
  ]);
  return renderTable(['  ID', 'PROJECT', 'STARTED', 'STATUS'], rows);
}
