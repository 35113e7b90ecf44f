import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutable } from '../../runtime/executable.js';

const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

/**
 * Directory of the newest PostgreSQL server binaries (`/usr/lib/postgresql/<major>/bin`), or null.
 * Debian keeps `initdb` and `pg_ctl` there, off PATH, so PATH is no help.
 */
export async function findPostgresBinDir(): Promise<string | null> {
  let versions: string[];
  try {
    versions = await readdir(DEBIAN_POSTGRES_ROOT);
  } catch {
    return null;
  }
  const newestFirst = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const version of newestFirst) {
    const bin = join(DEBIAN_POSTGRES_ROOT, version, 'bin');
    if ((await isExecutable(join(bin, 'initdb'))) && (await isExecutable(join(bin, 'pg_ctl')))) return bin;
  }
  return null;
}

export const POSTGRES_INSTALL_HINT = 'apt-get install -y postgresql';
