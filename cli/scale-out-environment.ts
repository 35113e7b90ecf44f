import type { TevisConfig } from '../runtime/config.js';
import { UsageError } from './errors.js';

/**
 * `tevis worker` and `tevis api` run one part alone, beside other processes, so they need the
 * shared services: PGlite serves one process only, and an embedded Temporal lives in `tevis up`.
 */
export function requireSharedServices(
  part: 'worker' | 'api',
  config: TevisConfig,
): { databaseUrl: string; temporalAddress: string } {
  const missing: string[] = [];
  if (!config.databaseUrl)
    missing.push('DATABASE_URL (a Postgres URL; the embedded PGlite serves one process only)');
  if (!config.temporalAddress) missing.push('TEMPORAL_ADDRESS (a Temporal frontend, e.g. 127.0.0.1:7233)');
  if (missing.length) {
    throw new UsageError(
      `\`tevis ${part}\` runs alone against shared services; set ${missing.join(' and ')}, or run everything in one process with \`tevis up\``,
    );
  }
  return { databaseUrl: config.databaseUrl!, temporalAddress: config.temporalAddress! };
}
