import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cliStateFile,
  forgetCurrentSession,
  readCurrentSession,
  rememberCurrentSession,
  sessionIdOrCurrent,
} from '../../cli/current-session.js';
import { UsageError } from '../../cli/errors.js';

const home = () => mkdtemp(join(tmpdir(), 'tevis-cli-state-'));

describe('current session', () => {
  it('is remembered in $TEVIS_HOME/cli-state.json, without leaving temporary files', async () => {
    const dir = await home();
    await rememberCurrentSession(dir, 'sess_a1b2c3');
    expect(await readCurrentSession(dir)).toBe('sess_a1b2c3');
    expect(JSON.parse(await readFile(cliStateFile(dir), 'utf8'))).toEqual({ currentSession: 'sess_a1b2c3' });
    expect(await readdir(dir)).toEqual(['cli-state.json']);
  });

  it('is forgotten only while it is still the current one', async () => {
    const dir = await home();
    await rememberCurrentSession(dir, 'sess_bbbbbb');
    await forgetCurrentSession(dir, 'sess_aaaaaa');
    expect(await readCurrentSession(dir)).toBe('sess_bbbbbb');
    await forgetCurrentSession(dir, 'sess_bbbbbb');
    expect(await readCurrentSession(dir)).toBeUndefined();
  });

  it('stands in for a missing ID, and says what to do when there is none', async () => {
    const dir = await home();
    expect(await sessionIdOrCurrent(dir, 'sess_given')).toBe('sess_given');
    await expect(sessionIdOrCurrent(dir, undefined)).rejects.toThrow(
      new UsageError('no current session; pass an ID or `tevis session switch ID`'),
    );
    await rememberCurrentSession(dir, 'sess_cccccc');
    expect(await sessionIdOrCurrent(dir, undefined)).toBe('sess_cccccc');
  });

  it('survives a damaged state file', async () => {
    const dir = await home();
    await writeFile(cliStateFile(dir), '{not json');
    expect(await readCurrentSession(dir)).toBeUndefined();
    await rememberCurrentSession(dir, 'sess_dddddd');
    expect(await readCurrentSession(dir)).toBe('sess_dddddd');
  });
});
