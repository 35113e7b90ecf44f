/**
 * Tells "not ready yet" (nothing listens, the name does not resolve yet, the server is starting)
 * from everything else (a refused password, a TLS mismatch, a missing database), which waiting
 * cannot fix. Errors are read as the drivers throw them: Node's system errors (pg, dockerode, our
 * own TCP probe), Postgres SQLSTATEs, gRPC statuses and the Temporal core's transport errors.
 */

const SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  // A name that does not resolve yet: a compose service whose container is not up.
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** SQLSTATEs of a server that is starting, stopping or full: 57P01-57P03 and 53300. */
const POSTGRES_NOT_READY = new Set(['57P01', '57P02', '57P03', '53300']);

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the frontend did not answer (yet). */
const GRPC_NOT_READY = new Set([14, 4]);

const NOT_READY_MESSAGES = [
  /Connection terminated/i, // pg: the server closed or did not answer within the connect timeout
  /timeout expired/i,
  /Failed to connect before the deadline/i, // @temporalio/client
  /tcp connect error|dns error/i, // the Temporal core (Rust) transport
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** Whatever waiting cannot cure even when it looks like a network error. */
const NEVER_READY_MESSAGES = [/\b(ssl|tls|certificate|handshake)\b/i];

function* causes(error: unknown): Generator<Record<string, unknown>> {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    yield e as Record<string, unknown>;
    e = (e as { cause?: unknown }).cause;
  }
}

export function isNotReadyYet(error: unknown): boolean {
  for (const e of causes(error)) {
    const message = typeof e.message === 'string' ? e.message : '';
    if (NEVER_READY_MESSAGES.some((re) => re.test(message))) return false;
    const code = e.code;
    if (typeof code === 'string' && SYSTEM_CODES.has(code)) return true;
    // A unix socket that is not there yet: the engine (or Postgres) has not created it.
    if (code === 'ENOENT' && e.syscall === 'connect') return true;
    if (typeof code === 'string' && POSTGRES_NOT_READY.has(code)) return true;
    if (typeof code === 'number' && GRPC_NOT_READY.has(code)) return true;
    if (NOT_READY_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}
