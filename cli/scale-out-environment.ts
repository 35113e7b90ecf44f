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

/**
 * What a part run alone should say about the secrets every process of a deployment must share.
 * Without `TEVIS_API_TOKEN` an API uses the token in its own home, and without
 * `TEVIS_TEMPORAL_CODEC_KEY` a process uses the key in its own home: processes in homes of their
 * own (other hosts, containers) then disagree, and a request or a payload from one is refused by
 * the other. Said once at start, never with the secret.
 */
export function unsharedSecretNotes(part: 'worker' | 'api', config: TevisConfig): string[] {
  const notes: string[] = [];
  if (part === 'api' && !config.apiToken)
    notes.push(
      `no TEVIS_API_TOKEN: this API uses the token in ${config.home}/api-token (made once); every other API instance of this deployment needs the same one, so set TEVIS_API_TOKEN on each`,
    );
  if (!config.temporalCodecKey)
    notes.push(
      `no TEVIS_TEMPORAL_CODEC_KEY: this ${part} seals Temporal payloads with the key in ${config.home}/temporal-codec.key (made once); every worker and API of this deployment needs the same one, so set TEVIS_TEMPORAL_CODEC_KEY on each`,
    );
  return notes;
}
