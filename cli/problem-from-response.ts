import { PROBLEM_TYPE_PREFIX } from '../contracts/problems.js';
import { ApiProblemError } from './errors.js';

/** The service a 503 is about, in words. */
export function unavailableService(type: string): string {
  if (type === 'database-unavailable') return 'the database is unavailable';
  if (type === 'temporal-unavailable') return 'Temporal is unavailable';
  return 'a service Tevis needs is unavailable';
}

/** A non-problem error body still gets a type, so the exit code and `--json` stay meaningful. */
function fallbackType(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 503) return 'service-unavailable';
  return status >= 500 ? 'internal' : 'validation';
}

export async function problemFromResponse(response: Response): Promise<ApiProblemError> {
  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: a proxy's page or a plain-text error; the status still says enough.
  }
  const rawType = typeof body?.type === 'string' ? body.type : null;
  const type = rawType ? rawType.replace(PROBLEM_TYPE_PREFIX, '') : fallbackType(response.status);
  const detail =
    typeof body?.detail === 'string'
      ? body.detail
      : typeof body?.title === 'string'
        ? body.title
        : text.trim().slice(0, 500) || `HTTP ${response.status} ${response.statusText}`;
  const { type: _t, title: _ti, status: _s, detail: _d, ...extras } = body ?? {};
  return new ApiProblemError(type, response.status, detail, extras);
}
