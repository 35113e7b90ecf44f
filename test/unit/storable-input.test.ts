import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toProblem } from '../../api/problem.js';
import { failFastOnDataError } from '../../activities/unrecordable.js';
import { NanocycleCreate } from '../../contracts/nanocycle.js';
import { parseOutputCursor } from '../../contracts/output-cursor.js';
import { MAX_INT4, StorableText, isSequenceNumber } from '../../contracts/storable.js';
import { dataError } from '../../db/data-errors.js';

/** What the database can hold, decided before a write; and what a refused write turns into. */

const driverError = (code: string, message = 'refused') =>
  Object.assign(new Error(`Failed query: insert … params: secret`), {
    cause: Object.assign(new Error(message), { code }),
  });
const fsError = (code: string, syscall: string) =>
  Object.assign(new Error(`${code}: ${syscall} '/host/path/secret'`), {
    code,
    syscall,
    path: '/host/path/secret',
  });

describe('storable input', () => {
  it('text: anything but U+0000', () => {
    expect(StorableText.safeParse('émoji 🙂, tabs\tand\nnewlines, \u0001').success).toBe(true);
    expect(StorableText.safeParse('a\u0000b').success).toBe(false);
    expect(NanocycleCreate.safeParse({ name: 'x', run: ['echo \u0000'] }).success).toBe(false);
    expect(NanocycleCreate.safeParse({ name: 'x', goal: 'go\u0000' }).success).toBe(false);
  });

  it('sequence numbers: 0 to the largest int4', () => {
    expect(MAX_INT4).toBe(2_147_483_647);
    expect(isSequenceNumber(MAX_INT4)).toBe(true);
    expect(isSequenceNumber(0)).toBe(true);
    for (const bad of [MAX_INT4 + 1, -1, 1.5, 1e300, Number.NaN]) expect(isSequenceNumber(bad)).toBe(false);
    expect(parseOutputCursor(`NC-001:${MAX_INT4}`)).toEqual({ 'NC-001': MAX_INT4 });
    expect(parseOutputCursor(`NC-001:${MAX_INT4 + 1}`)).toBeNull();
  });
});

describe('writes the database refuses', () => {
  it('data exceptions and integrity violations are data errors; a unique clash and a lost connection are not', () => {
    for (const code of ['22021', '22P05', '22003', '22001', '23502', '23503', '23514'])
      expect(dataError(driverError(code))?.code).toBe(code);
    for (const code of ['23505', '08006', '57P01', '40001']) expect(dataError(driverError(code))).toBeNull();
    expect(dataError(new Error('plain'))).toBeNull();
  });

  it('fail at once and for good, saying what the driver said and not the statement', async () => {
    const failure = await failFastOnDataError(() =>
      Promise.reject(driverError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'unrecordable', nonRetryable: true });
    expect((failure as Error).message).toContain('0x00');
    expect((failure as Error).message).not.toContain('secret');
    const transient = driverError('08006');
    await expect(failFastOnDataError(() => Promise.reject(transient))).rejects.toBe(transient);
  });

  it('become 400 unrecordable when they reach the API', () => {
    expect(toProblem(driverError('22P05'))).toMatchObject({
      status: 400,
      type: 'urn:tevis:problem:unrecordable',
    });
  });
});

describe('paths the file system refuses', () => {
  it.each([
    ['ENAMETOOLONG', 'open'],
    ['ENOTDIR', 'stat'],
    ['ELOOP', 'realpath'],
    ['EISDIR', 'open'],
    ['EEXIST', 'mkdir'],
  ])('%s from %s → 400 validation, without the host path', (code, syscall) => {
    const answer = toProblem(fsError(code, syscall));
    expect(answer).toMatchObject({ status: 400, type: 'urn:tevis:problem:validation' });
    expect(answer.detail).not.toContain('/host/path');
  });

  it('other file-system failures stay 500 (the server log has them)', () => {
    expect(toProblem(fsError('EACCES', 'open')).status).toBe(500);
    expect(toProblem(fsError('EEXIST', 'open')).status).toBe(500);
  });
});
