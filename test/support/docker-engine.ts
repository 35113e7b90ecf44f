import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { buildTpuImage } from '../../runtime/tpu-image.js';

/**
 * A real Docker engine for the TPU tests, of their own: `dockerd` on its own socket, data and exec
 * directories under /tmp, with no bridge, no iptables and no forwarding (containers get no network
 * but loopback), and the TPU test image built locally from busybox-static with `docker import`
 * (no registry is reachable here). stop() ends the daemon, which stops its containers and
 * unmounts their layers, then removes everything.
 *
 * Test files run in separate processes (pool: forks), so each file that needs an engine starts
 * one in its beforeAll; within a process, callers share it (reference-counted).
 */

export const TPU_TEST_IMAGE = 'tevis-tpu-test:latest';

export interface DockerEngine {
  socketPath: string;
  /** `unix://<socketPath>`: what DOCKER_HOST would say. */
  dockerHost: string;
  docker: Docker;
  image: string;
  stop(): Promise<void>;
}

interface Shared {
  users: number;
  engine: Promise<DockerEngine & { shutdown(): Promise<void> }>;
}
const SHARED = Symbol.for('tevis.test.docker-engine');
const registry = globalThis as { [SHARED]?: Shared };

const progress = (msg: string) => console.log(`[tevis test] ${msg}`);

export async function startDockerEngine(): Promise<DockerEngine> {
  registry[SHARED] ??= { users: 0, engine: launch() };
  const shared = registry[SHARED];
  shared.users += 1;
  let engine: Awaited<Shared['engine']>;
  try {
    engine = await shared.engine;
  } catch (error) {
    shared.users -= 1;
    if (registry[SHARED] === shared) delete registry[SHARED];
    throw error;
  }
  let stopped = false;
  return {
    ...engine,
    async stop() {
      if (stopped) return;
      stopped = true;
      shared.users -= 1;
      if (shared.users > 0) return;
      if (registry[SHARED] === shared) delete registry[SHARED];
      await engine.shutdown();
    },
  };
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${err.trim()}`)),
    );
  });
}

export function onPath(program: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path) return path;
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin'])
    if (existsSync(join(dir, program))) return join(dir, program);
  return null;
}

function debianPackageInstalled(name: string): boolean | null {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  if (query.error) return null; // not a Debian system
  return query.status === 0 && query.stdout.includes('install ok installed');
}

let aptUpdated = false;
/** Only as root: elsewhere the caller's error says what to install, rather than a test asking for a password. */
export async function aptInstall(pkg: string, why: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`${why}: install it with \`sudo apt-get install -y ${pkg}\``);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    progress('apt-get update');
    await run('apt-get', ['update'], { env });
    aptUpdated = true;
  }
  progress(`${why}: apt-get install -y ${pkg}`);
  await run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env });
}

/** `program` from PATH, installing Debian's `pkg` first when it is missing. */
export async function ensureProgram(program: string, pkg: string): Promise<string> {
  let found = onPath(program);
  if (!found) {
    await aptInstall(pkg, `${program} is missing`);
    found = onPath(program);
  }
  if (!found) throw new Error(`${program} is still missing after installing ${pkg}`);
  return found;
}

/** A statically linked busybox: it must run inside an image that has no libc. */
async function ensureStaticBusybox(): Promise<string> {
  const installed = debianPackageInstalled('busybox-static');
  if (installed === false) await aptInstall('busybox-static', 'busybox-static is missing');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? onPath('busybox');
  if (!busybox) throw new Error('no busybox found: install busybox-static');
  return busybox;
}

/** Files under data-root the daemon left mounted (it unmounts on a clean stop; this is for the other kind). */
async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)))
    // Deepest first.
    .sort((a, b) => b.length - a.length);
  for (const point of points) spawnSync('umount', ['-l', point], { stdio: 'ignore' });
}

async function launch(): Promise<DockerEngine & { shutdown(): Promise<void> }> {
  const began = performance.now();
  const dockerd = await ensureProgram('dockerd', 'docker.io');
  const busybox = await ensureStaticBusybox();

  // Short: a unix socket path must stay under 108 bytes.
  const dir = await mkdtemp('/tmp/tvd-');
  const socketPath = join(dir, 'd.sock');
  const namespace = `tevis-${dir.slice(-6).toLowerCase()}`;
  const logFile = join(dir, 'dockerd.log');
  const logFd = openSync(logFile, 'a');
  const daemon: ChildProcess = spawn(
    dockerd,
    [
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      join(dir, 'd.pid'),
      '--host',
      `unix://${socketPath}`,
      // Its own containerd namespace: never sees another daemon's containers, even on a shared containerd.
      '--containerd-namespace',
      namespace,
      '--containerd-plugins-namespace',
      `${namespace}-plugins`,
      '--shutdown-timeout',
      '2',
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    daemon.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // If the test process dies without afterAll, at least the daemon is told to stop.
  const killOnExit = () => daemon.kill('SIGTERM');
  process.on('exit', killOnExit);

  const shutdown = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      daemon.kill('SIGTERM');
      const stoppedInTime = await Promise.race([
        exitedPromise.then(() => true),
        sleep(30_000).then(() => false),
      ]);
      if (!stoppedInTime) {
        daemon.kill('SIGKILL');
        await exitedPromise;
      }
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };

  const docker = new Docker({ socketPath });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error('dockerd exited at start');
      try {
        await docker.ping();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error('dockerd did not answer on its socket within 60 s');
        await sleep(100);
      }
    }
    // The same build as `tevis tpu build-image`, under the test's own tag.
    await buildTpuImage({ docker, tag: TPU_TEST_IMAGE, busybox });
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await shutdown().catch(() => {});
    throw new Error(
      `${(error as Error).message}\n--- dockerd log (last lines) ---\n${log.trim().split('\n').slice(-20).join('\n')}`,
    );
  }
  progress(
    `dockerd ready with ${TPU_TEST_IMAGE} in ${((performance.now() - began) / 1000).toFixed(1)} s on ${socketPath}`,
  );
  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    docker,
    image: TPU_TEST_IMAGE,
    stop: shutdown,
    shutdown,
  };
}
