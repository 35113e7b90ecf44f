import { CommanderError, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES } from '../../contracts/problems.js';
import { printError, reportFor } from '../../cli/error-report.js';
import { ApiProblemError, ApiUnreachableError, UsageError } from '../../cli/errors.js';
import { EXIT, exitCodeForProblem, exitCodeForStatus } from '../../cli/exit-codes.js';
import { createProgram } from '../../cli/program.js';

describe('exit codes', () => {
  it('maps HTTP statuses to the documented codes', () => {
    expect(exitCodeForStatus(400)).toBe(EXIT.usage);
    expect(exitCodeForStatus(413)).toBe(EXIT.usage);
    expect(exitCodeForStatus(401)).toBe(EXIT.unauthorized);
    expect(exitCodeForStatus(403)).toBe(EXIT.conflict);
    expect(exitCodeForStatus(404)).toBe(EXIT.notFound);
    expect(exitCodeForStatus(409)).toBe(EXIT.conflict);
    expect(exitCodeForStatus(503)).toBe(EXIT.unavailable);
    expect(exitCodeForStatus(500)).toBe(EXIT.unexpected);
  });

  it('gives every known problem type a code from its documented status', () => {
    for (const [type, { status }] of Object.entries(PROBLEM_TYPES)) {
      expect(exitCodeForProblem(type, 999)).toBe(exitCodeForStatus(status));
    }
    expect(exitCodeForProblem('session-conflict', 409)).toBe(EXIT.conflict);
    expect(exitCodeForProblem('capability-not-allowed', 403)).toBe(EXIT.conflict);
    expect(exitCodeForProblem('project-not-found', 404)).toBe(EXIT.notFound);
  });

  it('falls back to the status for a type this CLI does not know yet', () => {
    expect(exitCodeForProblem('something-new', 404)).toBe(EXIT.notFound);
    expect(exitCodeForProblem('something-new', 502)).toBe(EXIT.unexpected);
  });
});

describe('reportFor', () => {
  it('keeps type, status and detail of an API problem', () => {
    const report = reportFor(new ApiProblemError('session-not-found', 404, 'no session "sess_aaaaaa"'));
    expect(report).toEqual({
      exitCode: EXIT.notFound,
      type: 'session-not-found',
      status: 404,
      detail: 'no session "sess_aaaaaa"',
    });
  });

  it('reports an unreachable API as service unavailable, naming `tevis up` and TEVIS_API_URL', () => {
    const report = reportFor(new ApiUnreachableError('http://127.0.0.1:8082', 'ECONNREFUSED'));
    expect(report.exitCode).toBe(EXIT.unavailable);
    expect(report.detail).toContain('no API at http://127.0.0.1:8082');
    expect(report.detail).toContain('tevis up');
    expect(report.detail).toContain('TEVIS_API_URL');
  });

  it('treats usage errors, commander errors and option-parser refusals as exit 2', () => {
    expect(reportFor(new UsageError('bad')).exitCode).toBe(EXIT.usage);
    expect(
      reportFor(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'")),
    ).toMatchObject({ exitCode: EXIT.usage, detail: "unknown option '--x'" });
    expect(reportFor(new InvalidArgumentError('expected key=value')).exitCode).toBe(EXIT.usage);
  });

  it('lets help and --version exit 0', () => {
    expect(reportFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(
      EXIT.ok,
    );
  });

  it('calls anything else unexpected', () => {
    expect(reportFor(new TypeError('boom'))).toMatchObject({
      exitCode: EXIT.unexpected,
      type: 'unexpected',
      detail: 'boom',
    });
  });
});

describe('printError', () => {
  it('prints `tevis: detail` on stderr, and the JSON error on stdout under --json', () => {
    const out: string[] = [];
    const err: string[] = [];
    const report = reportFor(new ApiProblemError('session-conflict', 409, 'already open'));
    printError(report, { json: true }, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(err.join('')).toBe('tevis: already open\n');
    expect(JSON.parse(out.join(''))).toEqual({
      error: { type: 'session-conflict', status: 409, detail: 'already open' },
    });
  });

  it('keeps stdout empty without --json', () => {
    const out: string[] = [];
    printError(
      reportFor(new UsageError('x')),
      { json: false },
      { stdout: (t) => out.push(t), stderr: () => {} },
    );
    expect(out).toEqual([]);
  });
});

describe('commander usage errors', () => {
  const parse = async (...args: string[]) => {
    try {
      await createProgram().parseAsync(args, { from: 'user' });
      return null;
    } catch (error) {
      return reportFor(error);
    }
  };

  it('exits 2 on an unknown command, an unknown option and a missing required option', async () => {
    expect(await parse('bogus')).toMatchObject({ exitCode: EXIT.usage, type: 'usage' });
    expect(await parse('session', 'list', '--projekt', 'x')).toMatchObject({
      exitCode: EXIT.usage,
      detail: expect.stringContaining('--projekt'),
    });
    expect(await parse('session', 'create')).toMatchObject({
      exitCode: EXIT.usage,
      detail: expect.stringContaining('--project'),
    });
    expect(await parse('project', 'create', 'p', '--repo', '/r', '--pref', 'novalue')).toMatchObject({
      exitCode: EXIT.usage,
      detail: expect.stringContaining('key=value'),
    });
  });
});
