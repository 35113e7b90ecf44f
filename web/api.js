// @ts-check
/** The public API, with the token the person gave the page; errors carry the problem's detail. */

export class ApiError extends Error {
  /** @param {number} status @param {string} type @param {string} detail */
  constructor(status, type, detail) {
    super(detail);
    this.status = status;
    this.type = type;
  }
}

/**
 * @param {() => string | null} getToken
 * @param {() => void} onUnauthorized  told when the token is refused
 */
export function createApi(getToken, onUnauthorized) {
  /** @param {string} method @param {string} path @param {unknown} [body] @param {string} [accept] */
  async function request(method, path, body, accept = 'application/json') {
    /** @type {Response} */
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${getToken() ?? ''}`, accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'The Tevis API does not answer; is `tevis up` running?');
    }
    if (response.ok) return accept === 'application/json' ? response.json() : response.text();
    const problem = await response.json().catch(() => ({}));
    if (response.status === 401) onUnauthorized();
    throw new ApiError(response.status, String(problem.type ?? '').replace('urn:tevis:problem:', '') || 'error', problem.detail || problem.title || `${method} ${path} answered ${response.status}`);
  }

  return {
    /** @param {string} path */
    get: (path) => request('GET', path),
    /** @param {string} path @param {unknown} [body] */
    post: (path, body = {}) => request('POST', path, body),
    /** PUT, PATCH or DELETE (the planning panels). @param {'PUT' | 'PATCH' | 'DELETE'} method @param {string} path @param {unknown} [body] */
    send: (method, path, body) => request(method, path, body),
    /**
     * Opens an SSE stream, resuming after `lastEventId` when given.
     * @param {string} path @param {string | null} lastEventId @param {AbortSignal} signal
     */
    async openStream(path, lastEventId, signal) {
      const headers = /** @type {Record<string, string>} */ ({ authorization: `Bearer ${getToken() ?? ''}`, accept: 'text/event-stream' });
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetch(path, { headers, signal });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        if (response.status === 401) onUnauthorized();
        throw new ApiError(response.status, String(problem.type ?? '').replace('urn:tevis:problem:', ''), problem.detail || `the stream answered ${response.status}`);
      }
      return response;
    },
  };
}
