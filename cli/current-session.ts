import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './errors.js';

/**
 * The session `info`, `end`, `summary` and `timeline` act on when no ID is given. Kept beside
 * the rest of the local state, so each TEVIS_HOME (each `tevis up`) has its own.
 */
interface CliState {
  currentSession?: string;
}

export function cliStateFile(home: string): string {
  return join(home, 'cli-state.json');
}

async function readState(home: string): Promise<CliState> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cliStateFile(home), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as CliState) : {};
  } catch {
    // Missing or damaged: behave as if nothing is current; the next write repairs it.
    return {};
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
async function writeState(home: string, state: CliState): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const target = cliStateFile(home);
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function readCurrentSession(home: string): Promise<string | undefined> {
  const { currentSession } = await readState(home);
  return typeof currentSession === 'string' && currentSession ? currentSession : undefined;
}

export async function rememberCurrentSession(home: string, sessionId: string): Promise<void> {
  await writeState(home, { ...(await readState(home)), currentSession: sessionId });
}

/** Forgets `sessionId` only if it is still the current one; another may have been chosen since. */
export async function forgetCurrentSession(home: string, sessionId: string): Promise<void> {
  const state = await readState(home);
  if (state.currentSession !== sessionId) return;
  delete state.currentSession;
  await writeState(home, state);
}

/** The ID the user passed, or the current session; a usage error when there is neither. */
export async function sessionIdOrCurrent(home: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const current = await readCurrentSession(home);
  if (!current) throw new UsageError('no current session; pass an ID or `tevis session switch ID`');
  return current;
}
