import type { LevelWithSilent } from 'pino';

export type LogLevel = LevelWithSilent;

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * TEVIS_LOG_LEVEL, `info` unless set. Checked with the rest of the configuration, so a misspelt
 * level stops the start with the setting's name instead of logging nothing or everything.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const raw = env.TEVIS_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return 'info';
  if ((LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new Error(`TEVIS_LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.TEVIS_LOG_LEVEL}"`);
}
