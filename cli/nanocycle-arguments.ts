import { userInfo } from 'node:os';
import { z } from 'zod';
import { HOLD_ID_PATTERN, NanocycleId, nanocycleId } from '../contracts/nanocycle.js';
import { validateValue } from './request-validation.js';

/**
 * `NC-001` as typed, also `nc-001`, `NC-7` or just `7`: the id the API knows, checked by the
 * contract's schema so a typo fails before anything is sent.
 */
export function parseNanocycleArgument(text: string): string {
  const trimmed = text.trim();
  const number = /^(?:nc-)?(\d{1,6})$/i.exec(trimmed)?.[1];
  const given = number !== undefined ? nanocycleId(Number(number)) : trimmed.toUpperCase();
  return validateValue(NanocycleId, given, `NC-ID "${text}"`);
}

const HoldPointId = z
  .string()
  .regex(
    HOLD_ID_PATTERN,
    'a hold point id looks like HP-001-merge or HP-002-agent-1; `tevis hold list` shows them',
  );

/** `HP-001-merge`, `hp-001-agent-1`: upper-cased prefix, lower-cased kind, as the API spells them. */
export function parseHoldPointArgument(text: string): string {
  const trimmed = text.trim();
  const given = /^hp-/i.test(trimmed) ? `HP-${trimmed.slice(3).toLowerCase()}` : trimmed;
  return validateValue(HoldPointId, given, `HOLD-ID "${text}"`);
}

/** The kind a hold point id names: `plan`, `merge`, `agent` or `conflict`. */
export function holdPointKind(id: string): string {
  return HOLD_ID_PATTERN.exec(id)?.[1] ?? 'unknown';
}

/** Who resolves a hold point: the OS user, as the record's `by`. */
export function resolverName(env: NodeJS.ProcessEnv = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
  }
  name ||= env.USER || env.LOGNAME || env.USERNAME;
  return (name || 'cli').slice(0, 200);
}
