import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from './logger.js';
import { workflowLogIds } from './workflow-log-ids.js';

const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/** The pino level as the SDK names it; core's own filter is set from it, so nothing below is made. */
export function temporalLogLevel(logger: Logger): LogLevel {
  const level = logger.level;
  if (level === 'trace' || level === 'debug' || level === 'info' || level === 'warn') {
    return level.toUpperCase() as LogLevel;
  }
  return 'ERROR';
}

/**
 * The Temporal SDK's logger (its own lines, workflow `log`, activity `Context.log`, core's
 * forwarded lines) written through pino. The SDK gives a workflow's and an activity's `workflowId`
 * in the line's metadata; the session and nanocycle ids are derived from it here, so every line of
 * a session's work can be found by `sessionId` without each call site adding it.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel = PINO_LEVEL[level];
    if (!logger.isLevelEnabled(pinoLevel)) return;
    logger[pinoLevel]({ ...meta, ...workflowLogIds(meta?.workflowId) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
