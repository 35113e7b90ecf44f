import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

/**
 * Commander option parsers for the shapes that need more than a string. They only split and
 * collect; what a valid key, branch or timeout is stays with the zod schemas in contracts/.
 */

/** `--pref key=value`, repeatable; the value may itself contain "=". */
export function collectPreference(text: string, previous: Record<string, string> = {}): Record<string, string> {
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
export function preferenceChanges(set: Record<string, string> = {}, unset: string[] = []): Record<string, string | null> | undefined {
  const both = unset.filter((key) => key in set);
  if (both.length) throw new UsageError(`--pref and --unset-pref both name ${both.map((k) => `"${k}"`).join(', ')}; pick one`);
  if (!Object.keys(set).length && !unset.length) return undefined;
  return { ...set, ...Object.fromEntries(unset.map((key) => [key, null])) };
}
