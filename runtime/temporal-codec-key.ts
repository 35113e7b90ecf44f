import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `tevis up` keeps the key every Tevis Temporal client and worker of this host seals payloads with. */
export function codecKeyFile(home: string): string {
  return join(home, 'temporal-codec.key');
}

function parseKey(text: string, from: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new Error(
      `${from} must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`,
    );
  return key;
}

/**
 * `TEVIS_TEMPORAL_CODEC_KEY` (base64) when set: every worker and API host of one deployment
 * must share it. Otherwise the key stored under `$TEVIS_HOME` (0600), made once.
 * The key never goes to a log, an event or the database.
 */
export async function loadOrCreateCodecKey(home: string, explicit: string | undefined): Promise<Buffer> {
  if (explicit) return parseKey(explicit, 'TEVIS_TEMPORAL_CODEC_KEY');
  const file = codecKeyFile(home);
  try {
    return parseKey(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(home, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another process made it first; then theirs is the key.
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    return parseKey(await readFile(file, 'utf8'), file);
  }
  await chmod(file, 0o600);
  return key;
}
