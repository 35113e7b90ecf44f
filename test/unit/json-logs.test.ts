import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';
import { temporalLogger } from '../../runtime/temporal-logger.js';
import { workflowLogIds } from '../../runtime/workflow-log-ids.js';

/** The JSON logs' parts that need no process: runtime/log-level.ts, workflow-log-ids.ts, logger.ts, temporal-logger.ts. */

function capture(level: Parameters<typeof createLogger>[0] = 'info') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

describe('TEVIS_LOG_LEVEL', () => {
  it('is info by default', () => {
    expect(loadConfig({ TEVIS_HOME: '/tmp/x' }).logLevel).toBe('info');
    expect(loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])('takes %s', (level) => {
    expect(loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it('takes a level in capitals', () => {
    expect(loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
  });

  it.each(['verbose', 'information', '30', 'info,debug'])(
    'refuses %s, naming the setting and its values',
    (level) => {
      expect(() => loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_LOG_LEVEL: level })).toThrow(
        /TEVIS_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent/,
      );
    },
  );
});

describe('ids from a workflow id', () => {
  it("a session's workflow names its session", () => {
    expect(workflowLogIds('session-sess_a1b2c3')).toEqual({ sessionId: 'sess_a1b2c3' });
  });

  it("a nanocycle's workflow names its session and nanocycle", () => {
    expect(workflowLogIds('session-sess_a1b2c3-NC-001')).toEqual({
      sessionId: 'sess_a1b2c3',
      nanocycleId: 'NC-001',
    });
    expect(workflowLogIds('session-sess_a1b2c3-NC-1234')).toEqual({
      sessionId: 'sess_a1b2c3',
      nanocycleId: 'NC-1234',
    });
  });

  it.each([
    undefined,
    42,
    '',
    'session-',
    'sess_a1b2c3',
    'session-sess_A1B2C3',
    'session-sess_a1b2c3-NC-1',
    'x-session-sess_a1b2c3',
  ])('names nothing for %s', (workflowId) => {
    expect(workflowLogIds(workflowId)).toEqual({});
  });
});

describe('the Temporal SDK logger through pino', () => {
  it("adds the session and nanocycle ids to a line whose meta has a nanocycle's workflow id", () => {
    const { logger, lines } = capture();
    temporalLogger(logger).info('TPU run started', {
      workflowId: 'session-sess_a1b2c3-NC-002',
      activityType: 'runTpu',
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'TPU run started',
        workflowId: 'session-sess_a1b2c3-NC-002',
        sessionId: 'sess_a1b2c3',
        nanocycleId: 'NC-002',
        activityType: 'runTpu',
      }),
    ]);
  });

  it('keeps to the level and maps the SDK levels to pino levels', () => {
    const { logger, lines } = capture('warn');
    const sdk = temporalLogger(logger);
    sdk.debug('below');
    sdk.info('below too');
    sdk.warn('kept', { workflowId: 'session-sess_a1b2c3' });
    sdk.log('ERROR', 'kept too');
    expect(lines.map((l) => [l.level, l.msg, l.sessionId])).toEqual([
      [40, 'kept', 'sess_a1b2c3'],
      [50, 'kept too', undefined],
    ]);
  });
});

describe('redaction', () => {
  it('never writes a token, a codec key or a password, even when handed one', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        authorization: 'Bearer s3cret-token',
        headers: { authorization: 'Bearer s3cret-token' },
        token: 's3cret-token',
        config: {
          temporalCodecKey: 'c0dec-key',
          databaseUrl: 'postgres://u:pa55word@h/db',
          password: 'pa55word',
        },
      },
      'careless',
    );
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(1);
    for (const secret of ['s3cret-token', 'c0dec-key', 'pa55word']) expect(text).not.toContain(secret);
    expect(lines[0]?.token).toBe('[redacted]');
  });
});
