import { InvalidArgumentError } from 'commander';
import { parseDurationSeconds } from '../contracts/durations.js';
import { UsageError } from './errors.js';

/**
 * Commander option parsers for the shapes that need more than a string. They only split and
 * collect; what a valid key, branch or timeout is stays with the zod schemas in contracts/.
 */

/** `--pref key=value`, repeatable; the value may itself contain "=". */
export function collectPreference(
  text: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value, e.g. --pref editor=vim');
  const key = text.slice(0, at).trim();
  if (!key) throw new InvalidArgumentError('expected key=value, e.g. --pref editor=vim');
  return { ...previous, [key]: text.slice(at + 1) };
}

/** A repeatable option that names keys, e.g. `--unset-pref editor --unset-pref theme`. */
export function collectKey(text: string, previous: string[] = []): string[] {
  if (!text.trim()) throw new InvalidArgumentError('expected a preference key');
  return [...previous, text.trim()];
}

/**
 * `--pref` and `--unset-pref` as the API's update shape: set keys map to their value, removed
 * keys to null. Naming one key in both is a mistake the user should hear about.
 */
export function preferenceChanges(
  set: Record<string, string> = {},
  unset: string[] = [],
): Record<string, string | null> | undefined {
  const both = unset.filter((key) => key in set);
  if (both.length)
    throw new UsageError(
      `--pref and --unset-pref both name ${both.map((k) => `"${k}"`).join(', ')}; pick one`,
    );
  if (!Object.keys(set).length && !unset.length) return undefined;
  return { ...set, ...Object.fromEntries(unset.map((key) => [key, null])) };
}

/** A repeatable string option, e.g. `--run "npm test" --run "node x.js"`, kept in order. */
export function collectString(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** A whole number such as `--tpu-limit 3` or `--pids 256`; its range is the schema's business. */
export function parseInteger(text: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a whole number`);
  return Number(text);
}

/** A decimal such as `--cpus 1.5`. */
export function parseDecimal(text: string): number {
  if (!/^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(text))
    throw new InvalidArgumentError(`"${text}" is not a number, e.g. 1.5`);
  return Number(text);
}

/** `--memory 1024` (MB), also `512m`, `2g`: megabytes as a whole number. */
export function parseMemoryMb(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(m|mb|g|gb)?\s*$/i.exec(text);
  if (!match)
    throw new InvalidArgumentError(`"${text}" is not a memory size; give megabytes, e.g. 1024, 512m or 2g`);
  const gigabytes = /^g/i.test(match[2] ?? '');
  const mb = Number(match[1]) * (gigabytes ? 1024 : 1);
  if (!Number.isInteger(mb)) throw new InvalidArgumentError(`"${text}" is not a whole number of megabytes`);
  return mb;
}

/** `--tpu-timeout 1h`: seconds, parsed like every duration in contracts/durations.ts. */
export function parseDuration(text: string): number {
  const seconds = parseDurationSeconds(text);
  if (seconds === null)
    throw new InvalidArgumentError(`"${text}" is not a duration; e.g. 90s, 30m, 1h or a number of seconds`);
  return seconds;
}
