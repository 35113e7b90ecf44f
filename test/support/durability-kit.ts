import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Small helpers for the durability and CLI-lifecycle suites: child processes that are always
 * killed (own process group, killed in afterAll and on exit), a bearer-token HTTP client, polling
 * without timed assertions, bare git repositories and throwaway Postgres databases.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEVIS_BIN = join(REPO_ROOT, 'bin', 'tevis.js');
export const TEVIS_LOCAL_BIN = join(REPO_ROOT, 'bin', 'tevis-local.js');

/** Generous: only a hang should ever reach it. */
export const HANG_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Child processes

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** After the exit, once its stdout and stderr are drained too. */
  readonly closed: Promise<void>;
  exitInfo: ExitInfo | undefined;
  private log = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name} could not be started`);
    this.pid = child.pid;
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  output(): string {
    return this.log;
  }

  /** Sends `signal` to the whole process group (the process and whatever it spawned). */
  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Sends `signal` to the process only. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL to the group, then waits for the exit. */
  async kill(): Promise<ExitInfo> {
    this.signalGroup('SIGKILL');
    return this.exited;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` (a hang, not a result). */
  async stop(signal: NodeJS.Signals = 'SIGINT', graceMs = 60_000): Promise<ExitInfo> {
    if (!this.running) return this.exitInfo!;
    this.signal(signal);
    const grace = new AbortController();
    const done = await Promise.race([
      this.exited,
      sleep(graceMs, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    if (done) return done;
    return this.kill();
  }

  describe(): string {
    const how = this.exitInfo ? ` (exited: code ${this.exitInfo.code}, signal ${this.exitInfo.signal})` : '';
    return `${this.name} pid ${this.pid}${how}; last output:\n${this.log.slice(-6000)}`;
  }
}

/** Every process a suite starts; killAll() in afterAll, and SIGKILL on exit as a last resort. */
export class ProcessSet {
  private readonly all = new Set<ManagedProcess>();
  private readonly onExit = () => {
    for (const p of this.all) p.signalGroup('SIGKILL');
  };

  constructor() {
    process.on('exit', this.onExit);
  }

  spawn(
    name: string,
    command: string,
    args: string[],
    options: { env: NodeJS.ProcessEnv; cwd?: string },
  ): ManagedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env,
      // Own process group: SIGKILL reaches the git clones and dev servers it started, too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const managed = new ManagedProcess(name, child);
    this.all.add(managed);
    return managed;
  }

  /** `node bin/tevis.js up|worker|api` as its own process. */
  spawnTevis(name: string, part: 'up' | 'worker' | 'api', env: NodeJS.ProcessEnv): ManagedProcess {
    return this.spawn(name, process.execPath, [TEVIS_BIN, part], { env });
  }

  async killAll(): Promise<void> {
    const list = [...this.all];
    // Politely first, so dev servers close their SQLite files; then for sure.
    await Promise.all(list.map((p) => (p.running ? p.stop('SIGTERM', 15_000) : undefined)));
    for (const p of list) p.signalGroup('SIGKILL');
    process.off('exit', this.onExit);
  }
}

const TEVIS_ENV = /^(TEVIS_|DATABASE_URL$|TEMPORAL_)/;

/** The parent's environment without anything that would point a child at other services. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!TEVIS_ENV.test(k) && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  env.NO_COLOR = '1';
  return env;
}

// ---------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Processes that must stay up while waiting; one that exits ends the wait with its output. */
  alive?: ManagedProcess[];
}

/** Polls `probe` until it returns something other than undefined / false. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? HANG_MS);
  let lastError: unknown;
  for (;;) {
    for (const p of options.alive ?? []) {
      if (!p.running) throw new Error(`while waiting for ${what}: ${p.describe()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      if ((error as { fatal?: boolean } | null)?.fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const alive = (options.alive ?? []).map((p) => p.describe()).join('\n');
      throw new Error(
        `gave up waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}${alive ? `\n${alive}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface ApiReply<T = any> {
  status: number;
  body: T;
}

export class ApiClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<ApiReply<T>> {
    const response = await fetch(this.url + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON; keep the text.
    }
    return { status: response.status, body: parsed as T };
  }

  /** The body when the status is `expected`; otherwise an error that shows what came back. */
  async ok<T = any>(method: string, path: string, body?: unknown, expected = 200): Promise<T> {
    const reply = await this.call<T>(method, path, body);
    if (reply.status !== expected)
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${reply.status}: ${JSON.stringify(reply.body)}`,
      );
    return reply.body;
  }

  async session(id: string): Promise<{ session: any; state: any }> {
    return this.ok('GET', `/sessions/${id}`);
  }

  async events(id: string): Promise<{ seq: number; type: string; data: Record<string, unknown> }[]> {
    return (await this.ok('GET', `/sessions/${id}/events`)).events;
  }

  /** Waits for the record to reach `status` (and fails at once on `failed` when not wanted). */
  async waitForStatus(id: string, status: string, options: WaitOptions = {}): Promise<any> {
    return waitFor(
      `session ${id} to be ${status}`,
      async () => {
        const { session } = await this.ok('GET', `/sessions/${id}`);
        if (session.status === 'failed' && status !== 'failed')
          throw Object.assign(new Error(`session ${id} failed: ${session.failure}`), { fatal: true });
        return session.status === status ? session : undefined;
      },
      options,
    );
  }

  /** Waits until the workflow answers the state query (`live: true`). */
  async waitForLive(id: string, options: WaitOptions = {}): Promise<{ session: any; state: any }> {
    return waitFor(
      `session ${id} to answer live`,
      async () => {
        const reply = await this.call('GET', `/sessions/${id}`);
        return reply.status === 200 && reply.body.state?.live === true ? reply.body : undefined;
      },
      options,
    );
  }
}

/** Polls /health until the API answers; fails with the process output if it exits first. */
export async function waitForHealth(url: string, proc?: ManagedProcess, timeoutMs = 180_000): Promise<void> {
  await waitFor(
    `${url}/health`,
    async () => {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      return response.ok;
    },
    { alive: proc ? [proc] : [], timeoutMs, intervalMs: 300 },
  );
}

export async function readToken(home: string): Promise<string> {
  return (await readFile(join(home, 'api-token'), 'utf8')).trim();
}

// ---------------------------------------------------------------------------------------------
// Git

function git(args: string[], cwd: string): string {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

export interface BareRepo {
  /** Path of the bare repository (the "remote"). */
  path: string;
  /** `file://` URL: makes git use the real transport (upload-pack) instead of a local copy. */
  fileUrl: string;
  head: string;
}

/** A bare repository with one commit on `branch`, playing the remote. */
export async function makeBareRepo(
  dir: string,
  options: { branch?: string; files?: Record<string, string> } = {},
): Promise<BareRepo> {
  const branch = options.branch ?? 'main';
  const work = join(dir, 'work');
  await mkdir(work, { recursive: true });
  git(['init', '-q', '-b', branch], work);
  const files = options.files ?? { 'README.md': '# fixture\n', '.tevis/plan.md': '# plan\n' };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(work, name, '..'), { recursive: true });
    await writeFile(join(work, name), content);
  }
  git(['add', '-A'], work);
  git(['commit', '-q', '-m', 'initial'], work);
  const path = join(dir, 'remote.git');
  git(['clone', '-q', '--bare', work, path], dir);
  return { path, fileUrl: `file://${path}`, head: git(['rev-parse', 'HEAD'], work) };
}

export function gitHead(dir: string): string {
  return git(['rev-parse', 'HEAD'], dir);
}

/** Entries of `$home/session-repos` that belong to `sessionId` (the workspace and any leftovers). */
export function sessionRepoEntries(home: string, sessionId: string): string[] {
  const dir = join(home, 'session-repos');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name === sessionId || name.startsWith(`${sessionId}.`));
}

export function countTypes(events: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Postgres

/** A fresh database on the shared test server; drop() removes it (and its connections). */
export async function freshPostgresDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.replace(
    /[^a-z0-9_]/g,
    '_',
  );
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

// ---------------------------------------------------------------------------------------------
// Ports

/** Whether something accepts TCP connections on 127.0.0.1:`port` right now. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Logs how long each step of a test took (for reading, never asserted). */
export function stepLogger(prefix: string): (what: string) => void {
  let last = performance.now();
  return (what) => {
    const now = performance.now();
    console.log(`[${prefix}] ${what} (+${((now - last) / 1000).toFixed(1)} s)`);
    last = now;
  };
}

// ---------------------------------------------------------------------------------------------
// The CLI as a process

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (every command prints one document under --json), or undefined. */
  json: any;
}

/**
 * Runs `node bin/tevis.js ARGS` (or another of the package's bins) to its end and returns what it
 * printed and its exit code. A run that hangs is killed after `timeoutMs` (a hang, not a result)
 * and reported as such.
 */
export async function runCli(
  processes: ProcessSet,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
  bin = TEVIS_BIN,
): Promise<CliRun> {
  const proc = processes.spawn(`tevis ${args.join(' ')}`, process.execPath, [bin, ...args], { env });
  let stdout = '';
  let stderr = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  proc.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = AbortSignal.timeout(timeoutMs);
  const exit = await Promise.race([
    proc.exited,
    new Promise<null>((resolve) => timer.addEventListener('abort', () => resolve(null))),
  ]);
  if (!exit) {
    await proc.kill();
    throw new Error(
      `tevis ${args.join(' ')} did not finish within ${timeoutMs / 1000} s; stdout:\n${stdout}\nstderr:\n${stderr}`,
    );
  }
  // 'exit' can come before the last output; 'close' means the pipes are drained.
  await proc.closed;
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { args, code: exit.code, signal: exit.signal, stdout, stderr, json };
}

export function describeRun(run: CliRun): string {
  return `tevis ${run.args.join(' ')} → exit ${run.code}${run.signal ? ` (${run.signal})` : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
