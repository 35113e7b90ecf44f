import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Parses "90s", "30m", "2h", "7d" or a bare number of seconds; null when it is none of these. */
export function parseDurationSeconds(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!match) return null;
  const unit = (match[2] || 's') as keyof typeof UNIT_SECONDS;
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  return Number.isSafeInteger(seconds) ? seconds : null;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${rest}s`;
  return `${rest}s`;
}

/** A timeout: seconds as a number, or a string such as "2h". Between 1 second and 365 days. */
export const TimeoutSeconds = z
  .union([z.number().int(), z.string()])
  .transform((value, ctx) => {
    const seconds = typeof value === 'number' ? value : parseDurationSeconds(value);
    if (seconds === null || seconds < 1 || seconds > 365 * 86400) {
      ctx.addIssue({ code: 'custom', message: 'a timeout is 1s to 365d, e.g. 7200, "90m", "2h" or "7d"' });
      return z.NEVER;
    }
    return seconds;
  })
  // The transform's bounds, as JSON Schema can say them (a string's seconds are checked by the API).
  .meta({
    description: 'Seconds, or a duration such as "90m", "2h", "7d"; between 1 second and 365 days.',
    example: '2h',
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 365 * 86400 },
      { type: 'string', pattern: String.raw`^\s*\d+\s*[smhd]?\s*$` },
    ],
  });

export const DEFAULT_ACTIVE_TIMEOUT_SECONDS = 2 * 3600;
export const DEFAULT_PAUSED_TIMEOUT_SECONDS = 7 * 86400;
