import { createHmac } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { PayloadSealingCodec } from '../../runtime/payload-sealing-codec.js';
import { tokensEqual } from '../auth.js';
import { problem, problemResponse } from '../problem.js';

/**
 * Temporal's remote codec protocol, decode only, for the Temporal Web UI: the UI POSTs
 * `{payloads: [{metadata: {k: base64}, data: base64}]}` (header `X-Namespace`) to
 * `<endpoint>/decode` and shows what comes back. There is no `/encode`: nothing may get a
 * payload sealed from outside Tevis, or the seal would prove nothing.
 *
 * The one route where a browser credential counts. The UI runs on another origin and cannot
 * hold the bearer token, so a logged-in Mission Control gets a cookie scoped to `/codec`
 * (`POST /codec/session`), and the UI sends it when its "Include cross-origin credentials"
 * codec setting is on. The cookie counts only on a request whose Origin is the UI's; the bearer
 * token counts from anywhere (the CLI, scripts).
 */

const CODEC_COOKIE = 'tevis_codec';
const MAX_DECODE_BODY_BYTES = 4 * 1024 * 1024;

/** Not the token itself: a leaked codec cookie can decode, and do nothing else. */
function codecCookieValue(token: string): string {
  return createHmac('sha256', token).update('tevis codec cookie v1').digest('base64url');
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface TemporalCodecDeps {
  token: string;
  codec: PayloadSealingCodec;
  /** The Temporal Web UI's origin (`http://127.0.0.1:8233`); null: no browser may use the cookie. */
  uiOrigin: string | null;
}

export function temporalCodecRoutes(deps: TemporalCodecDeps) {
  const app = new Hono();
  const cookieValue = codecCookieValue(deps.token);
  const fromUi = (c: Context) => deps.uiOrigin !== null && c.req.header('origin') === deps.uiOrigin;

  const allowUi = (c: Context) => {
    c.header('Vary', 'Origin');
    if (!fromUi(c)) return;
    c.header('Access-Control-Allow-Origin', deps.uiOrigin!);
    c.header('Access-Control-Allow-Credentials', 'true');
  };

  const bearerOk = (c: Context) => {
    const given = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return given !== undefined && tokensEqual(given, deps.token);
  };

  const refuse = (c: Context) => {
    c.header('WWW-Authenticate', 'Bearer realm="tevis"');
    return problemResponse(
      c,
      problem(
        'unauthorized',
        'the codec endpoint needs the API token as a bearer header, or the codec cookie from the Temporal Web UI',
      ),
    );
  };

  // Preflight: the UI's request carries X-Namespace and JSON, so the browser asks first.
  app.options('/codec/decode', (c) => {
    allowUi(c);
    if (!fromUi(c)) return c.body(null, 403);
    c.header('Access-Control-Allow-Methods', 'POST');
    c.header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    c.header('Access-Control-Max-Age', '600');
    return c.body(null, 204);
  });

  app.post('/codec/decode', async (c) => {
    allowUi(c);
    const cookie = getCookie(c, CODEC_COOKIE);
    const cookieOk = fromUi(c) && cookie !== undefined && tokensEqual(cookie, cookieValue);
    if (!bearerOk(c) && !cookieOk) return refuse(c);
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_DECODE_BODY_BYTES)
      return problemResponse(
        c,
        problem('payload-too-large', `a decode request is at most ${MAX_DECODE_BODY_BYTES} bytes`),
      );
    let body: { payloads?: unknown };
    try {
      body = await c.req.json();
    } catch {
      return problemResponse(
        c,
        problem('validation', 'the body must be JSON: {"payloads": [{"metadata": {…}, "data": "…"}]}'),
      );
    }
    if (!Array.isArray(body?.payloads))
      return problemResponse(
        c,
        problem('validation', 'the body must be JSON: {"payloads": [{"metadata": {…}, "data": "…"}]}'),
      );
    let payloads: Payload[];
    try {
      payloads = (body.payloads as JsonPayload[]).map(fromJson);
    } catch {
      return problemResponse(c, problem('validation', 'every payload needs base64 metadata values and data'));
    }
    const decoded = await deps.codec.decode(payloads);
    return c.json({ payloads: decoded.map(toJson) });
  });

  /** Mission Control, logged in with the token, trades it for the `/codec`-only cookie. */
  app.post('/codec/session', (c) => {
    if (!bearerOk(c)) return refuse(c);
    setCookie(c, CODEC_COOKIE, cookieValue, { httpOnly: true, sameSite: 'Strict', path: '/codec' });
    return c.body(null, 204);
  });

  return app;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytes(text: unknown): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text)) throw new Error('not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function fromJson(payload: JsonPayload): Payload {
  if (typeof payload !== 'object' || payload === null) throw new Error('not a payload');
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = bytes(value);
  return { metadata, data: bytes(payload.data ?? '') };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
