import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem, type Problem } from './problem.js';

/**
 * Requests Node's HTTP parser refuses never reach Hono: headers beyond the server's limit, a
 * malformed request line. Node's own answer is a bare 431 or 400 with no body; this answers them
 * as problem+json like every other refusal, so the OpenAPI document's promise holds for them too.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The client is gone or timed out: there is no one to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const body =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? problem('headers-too-large', 'the request headers are larger than the server accepts (16 KiB)')
        : problem('validation', 'the request is not valid HTTP');
    socket.end(rawResponse(body));
  });
}

function rawResponse(body: Problem): string {
  const json = JSON.stringify(body);
  const reason = body.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  return `HTTP/1.1 ${body.status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`;
}
