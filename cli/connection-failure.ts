import { errorChain } from '../contracts/errors.js';

/** Socket errors of a connection cut after the request may have reached the API. */
export const CUT_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

/** Error codes that mean the request never reached a server, as opposed to a server failing. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** fetch hides the socket error in `cause`, sometimes inside an AggregateError (IPv4 and IPv6). */
export function unreachableCode(error: unknown): string | null {
  for (const e of errorChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
  }
  return null;
}

/** undici names a cut connection by `code` on the cause, or only by its message. */
export function cutCode(error: unknown): string | null {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && CUT_CODES.has(code)) return code;
    if (typeof message === 'string' && /other side closed|socket hang up/i.test(message))
      return 'UND_ERR_SOCKET';
  }
  return null;
}
