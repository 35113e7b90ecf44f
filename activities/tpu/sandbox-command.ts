import { ACP_RUNNER_IN_TPU, TPU_UID, TPU_WORKDIR } from './tpu-spec.js';

/** The only PATH a sandboxed TPU gets: the host's programs, read-only. */
const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface SandboxPaths {
  /** The nanocycle's worktree: bound read-write at /workspace, the one writable host path that outlives the run. */
  worktree: string;
  /** A fresh directory of this run, bound at /tmp (on disk, so it counts toward the disk limit). */
  scratch: string;
  /** The files of the sandbox's /etc (passwd, group, hosts) that this worker wrote; see sandbox-etc.ts. */
  etc: string;
  /** An ACP run's runner bundle: bound read-only at ACP_RUNNER_IN_TPU. */
  acpRunner?: string;
}

/**
 * The argv that runs `argv` in a bubblewrap sandbox:
 *
 * - every namespace new (`--unshare-all`): no network but its own loopback, its own pids (the
 *   worker's processes are not in its /proc), its own IPC, UTS and mounts;
 * - of the host's filesystem only /usr, /bin, /lib, /lib64 read-only (programs), a /etc of three
 *   generated files plus the linker cache and alternatives links (never passwd/shadow/ssl keys of
 *   the host), fresh /proc and /dev; $TEVIS_HOME, /root, other workspaces and the rest of /tmp do
 *   not exist in it;
 * - uid and gid TPU_UID, every capability dropped, a new session (no TIOCSTI into a terminal);
 * - dies with its parent, so killing bwrap ends everything in the sandbox;
 * - `prlimit --fsize` first: RLIMIT_FSIZE is inherited through bwrap by the TPU, so no file it
 *   writes grows past the disk limit (see disk-watch.ts for the rest of that bound).
 */
export function sandboxArgv(
  bwrap: string,
  paths: SandboxPaths,
  fileSizeLimitBytes: number,
  env: Record<string, string>,
  argv: string[],
): string[] {
  const setenv = Object.entries({ PATH: SANDBOX_PATH, HOME: '/tmp', ...env }).flatMap(([k, v]) => [
    '--setenv',
    k,
    v,
  ]);
  return [
    'prlimit',
    `--fsize=${fileSizeLimitBytes}:${fileSizeLimitBytes}`,
    '--',
    bwrap,
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/usr',
    '/usr',
    '--ro-bind',
    '/bin',
    '/bin',
    '--ro-bind',
    '/lib',
    '/lib',
    '--ro-bind-try',
    '/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/etc',
    '--ro-bind',
    `${paths.etc}/passwd`,
    '/etc/passwd',
    '--ro-bind',
    `${paths.etc}/group`,
    '/etc/group',
    '--ro-bind',
    `${paths.etc}/hosts`,
    '/etc/hosts',
    // Not secrets, and programs need them: the dynamic linker's cache, and the links Debian's
    // alternatives put behind /usr/bin/awk, /usr/bin/editor, ….
    '--ro-bind-try',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--remount-ro',
    '/etc',
    '--bind',
    paths.scratch,
    '/tmp',
    '--bind',
    paths.worktree,
    TPU_WORKDIR,
    ...(paths.acpRunner ? ['--ro-bind', paths.acpRunner, ACP_RUNNER_IN_TPU] : []),
    '--chdir',
    TPU_WORKDIR,
    '--uid',
    String(TPU_UID),
    '--gid',
    String(TPU_UID),
    '--cap-drop',
    'ALL',
    '--clearenv',
    ...setenv,
    '--',
    ...argv,
  ];
}
