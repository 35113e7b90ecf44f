import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrorsAsProblems } from '../../api/client-error-reply.js';

/** What Node's HTTP parser refuses, before any route runs, is answered as problem+json too. */
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('routed'));
  answerClientErrorsAsProblems(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw bytes and reads until the server closes. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let reply = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

function parse(reply: string) {
  const [head, body] = reply.split('\r\n\r\n');
  return { statusLine: head!.split('\r\n')[0], head: head!.toLowerCase(), body: JSON.parse(body!) };
}

describe('requests the HTTP parser refuses', () => {
  it('answers headers beyond the limit with 431 problem+json', async () => {
    const reply = parse(
      await raw(`GET /sessions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    );
    expect(reply.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(reply.head).toContain('content-type: application/problem+json');
    expect(reply.body).toMatchObject({
      type: 'urn:tevis:problem:headers-too-large',
      status: 431,
      title: expect.any(String),
      detail: expect.any(String),
    });
  });

  it('answers a malformed request line with 400 problem+json', async () => {
    const reply = parse(await raw('NOT HTTP AT ALL\r\n\r\n'));
    expect(reply.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(reply.body).toMatchObject({ type: 'urn:tevis:problem:validation', status: 400 });
  });
});
