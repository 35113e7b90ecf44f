import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function tokenFile(home: string): string {
  return join(home, 'api-token');
}

/** `TEVIS_API_TOKEN` when set; otherwise the token stored under `$TEVIS_HOME`, made once. */
export async function loadOrCreateApiToken(home: string, explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  const file = tokenFile(home);
  if (existsSync(file)) {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored) return stored;
  }
  await mkdir(home, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  // 'wx' fails if another process made it first; then theirs is the token.
  try {
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    return (await readFile(file, 'utf8')).trim();
  }
  await chmod(file, 0o600);
  return token;
}

/** For the CLI: the same token, without creating one. */
export async function readApiToken(home: string, explicit: string | undefined): Promise<string | undefined> {
  if (explicit) return explicit;
  try {
    return (await readFile(tokenFile(home), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}
