import pino, { type Logger } from 'pino';
import type { LogLevel } from './log-level.js';

export type { Logger };

/**
 * Where a secret could sit in what is logged. Tevis logs none of them on purpose (request lines
 * carry no headers, the configuration is never logged); this is the net under that rule.
 */
const SECRET_PATHS = [
  'authorization',
  'token',
  'apiToken',
  'codecKey',
  'temporalCodecKey',
  'password',
  'databaseUrl',
  'DATABASE_URL',
  'TEVIS_API_TOKEN',
  'TEVIS_TEMPORAL_CODEC_KEY',
  // The Temporal SDK puts an activity's task token in its lines' metadata: whoever holds it can
  // complete the activity.
  'taskToken',
].flatMap((key) => [key, `*.${key}`]);

/**
 * The JSON-lines logger of `tevis worker`, `tevis api` and `tevis up`: one object a line on stderr,
 * so stdout keeps what the command prints. Written synchronously: a line logged just before a
 * process ends (a crash, a SIGTERM) is not lost in a buffer.
 */
export function createLogger(level: LogLevel, destination: pino.DestinationStream = stderr()): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      // The Temporal SDK puts failures under `error`; pino serializes only `err` by default.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

function stderr(): pino.DestinationStream {
  return pino.destination({ fd: 2, sync: true });
}
