import {
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { errorChain } from '../contracts/errors.js';

/**
 * Which failures mean "a service is not there right now", as opposed to a bug or a refusal: the
 * API answers those 503 with Retry-After (api/problem.ts) instead of 500, so a client knows a
 * retry may work and that nothing was changed.
 */

/** Socket errors: nobody listens, the connection was cut, or it never answered. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/**
 * SQLSTATEs of a server that is going away, coming back or full: class 08 (connection
 * exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many
 * connections).
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;
/** What node-postgres says when a pooled connection dies or cannot be made in time. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of errorChain(error)) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
    if (typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)) return true;
  }
  return false;
}

/** gRPC statuses of a frontend that is not there or did not answer before the deadline. */
const UNAVAILABLE_GRPC = new Set<number>([/* UNAVAILABLE */ 14, /* DEADLINE_EXCEEDED */ 4]);

export function isTemporalUnavailable(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && UNAVAILABLE_GRPC.has(e.code)) return true;
    if (e instanceof ServiceError && /UNAVAILABLE|DEADLINE_EXCEEDED/.test(e.message)) return true;
  }
  return false;
}
