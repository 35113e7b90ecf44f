import { chmodSync, mkdirSync } from 'node:fs';

/**
 * `$TEVIS_HOME` holds the API token, the payload key, every workspace and the database: only the
 * user Tevis runs as may enter it. The process umask makes everything Tevis and its children
 * (git, PGlite, the Temporal dev server) create there 0600 / 0700, and the home itself is made
 * 0700 again on every start, so a home left open by an earlier version is closed too.
 */
export function preparePrivateHome(home: string): void {
  process.umask(0o077);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
}
