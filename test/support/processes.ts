import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, TEVIS_BIN } from './repo-paths.js';

/**
 * The stack split into child processes (`tevis up|worker|api`, the CLI, dev servers), always
 * killed: each in its own process group, killed in afterAll and on exit. The same stack in this
 * process is `tevis-harness.ts`.
 */

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
    /** `stdin: 'pipe'` for a process a test talks to (`child.stdin`); ignored otherwise. */
    options: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: 'pipe' | 'ignore' },
  ): ManagedProcess {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env,
      // Own process group: SIGKILL reaches the git clones and dev servers it started, too.
      detached: true,
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
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
