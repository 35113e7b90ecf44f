/**
 * What every git the worker runs is given: an environment built from an allow-list (never the
 * worker's own, which may hold the API token, database URLs or cloud keys) and configuration that
 * turns off everything git could otherwise run on its own (hooks, fsmonitor, pagers, editors,
 * credential helpers). A TPU may have rewritten any file of a worktree; git must never turn that
 * into a command run on the worker host (test/integration/tpu-hostile-git.test.ts plants each such file).
 */

/** Transports for clones, fetches and pushes (and any submodule they pull): no ext::, no fd::. */
const ALLOWED_PROTOCOLS = 'file:git:http:https:ssh';

/** For every git call: no user or system configuration, no prompt, one locale. */
const BASE_ENV: Record<string, string> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_ATTR_NOSYSTEM: '1',
  GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
  // A worker has no terminal: a missing credential must fail, not hang on a prompt.
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  LC_ALL: 'C',
};

/** Taken from the worker's environment for every call: where programs are. */
const INHERITED_ALWAYS = ['PATH', 'TMPDIR', 'TZ'];

/**
 * Taken as well for calls that talk to a remote (clone, fetch, push): what ssh needs to reach
 * the operator's agent and config, and proxies. Nothing here is read by a command a worktree
 * could configure: such commands are off (below) and repository config is Tevis's own.
 */
const INHERITED_FOR_REMOTE = [
  'HOME',
  'SSH_AUTH_SOCK',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSH_VARIANT',
  // Where a private CA's certificate is, for https remotes: paths, not secrets.
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
];

export function gitEnvironment(
  options: { remote: boolean },
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  const names = options.remote ? [...INHERITED_ALWAYS, ...INHERITED_FOR_REMOTE] : INHERITED_ALWAYS;
  for (const name of names) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  if (!env.PATH) env.PATH = '/usr/local/bin:/usr/bin:/bin';
  return { ...env, ...BASE_ENV };
}

/**
 * `-c` settings put before every git command. Command-line configuration wins over any file,
 * and git passes it on to the gits it starts itself (e.g. for a submodule).
 */
export const HARDENING_CONFIG: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.pager=cat',
  'core.editor=false',
  'core.askPass=',
  'credential.helper=',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'protocol.ext.allow=never',
  'submodule.recurse=false',
];

export function hardeningArgs(): string[] {
  return HARDENING_CONFIG.flatMap((setting) => ['-c', setting]);
}
