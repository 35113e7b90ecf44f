/**
 * The one request and reply shape of the test kit, shared by the HTTP client of the running stack
 * (`api-client.ts`) and the in-process app of the route tests (`route-app.ts`), so a case reads
 * the same whichever way it reaches the API.
 */

export interface CallOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `null` sends no Authorization header; a string sends that token instead of the right one. */
  token?: string | null;
  /** Content type of a raw (string or bytes) body; JSON bodies are application/json unless set. */
  contentType?: string;
}

/**
 * `T` is what a test expects the body to be. Replies to bad input are read through it as a
 * problem document, so it stays loose unless the caller names a contract type.
 */
export interface ApiReply<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** The parsed body when it is JSON or problem+json, else undefined. */
  json: T;
}

/** The request for `call(method, path, body, options)` with `token` as the right token. */
export function requestInit(method: string, body: unknown, options: CallOptions, token: string): RequestInit {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.token === undefined ? token : options.token;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      payload = body as BodyInit;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else {
      payload = JSON.stringify(body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
  } else if (options.contentType) {
    headers['content-type'] = options.contentType;
  }
  return { method, headers, body: payload, redirect: 'manual' };
}

export async function readReply<T>(response: Response): Promise<ApiReply<T>> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let json: T | undefined;
  if (/application\/(problem\+)?json/.test(contentType)) {
    try {
      json = JSON.parse(text) as T;
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, contentType, text, json: json as T };
}
