/**
 * The test stack's own refusal to reach beyond loopback, for tests that let a fuzzer set project
 * settings. The worker runs in the test's process, so:
 *
 * - `fetch` (hold-point webhooks) is wrapped: a URL whose host is not loopback is refused and
 *   recorded, so the test can say how many were tried (it expects none);
 * - git, which the worker runs as a child with this process's environment, gets proxies on a closed
 *   loopback port for http(s) (curl then resolves no name itself) and a failing command for ssh
 *   and the git protocol, with loopback exempt so local remotes still work.
 *
 * install() returns how to undo it all.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Port 9 (discard) on loopback: nothing listens there in the test machine. */
const DEAD_PROXY = 'http://127.0.0.1:9';

const GIT_NETWORK_ENV: Record<string, string> = {
  http_proxy: DEAD_PROXY,
  https_proxy: DEAD_PROXY,
  HTTP_PROXY: DEAD_PROXY,
  HTTPS_PROXY: DEAD_PROXY,
  all_proxy: DEAD_PROXY,
  ALL_PROXY: DEAD_PROXY,
  no_proxy: '127.0.0.1,localhost,::1',
  NO_PROXY: '127.0.0.1,localhost,::1',
  GIT_SSH_COMMAND: 'false',
  GIT_PROXY_COMMAND: 'false',
};

export interface LoopbackOnly {
  /** Every non-loopback URL something in this process tried to fetch. */
  refused: string[];
  uninstall(): void;
}

export function installLoopbackOnly(): LoopbackOnly {
  const refused: string[] = [];
  const originalFetch = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      refused.push(url.href);
      return Promise.reject(new TypeError(`the test stack reaches loopback only; refused ${url.origin}`));
    }
    return originalFetch(input, init);
  }) as typeof fetch;

  const saved = Object.fromEntries(Object.keys(GIT_NETWORK_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, GIT_NETWORK_ENV);

  return {
    refused,
    uninstall() {
      globalThis.fetch = originalFetch;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
