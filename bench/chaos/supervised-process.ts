import type { ExitInfo, ManagedProcess, ProcessSet } from '../../test/support/processes.js';

/** A restart a process did not ask for waits this long, so a crash loop does not spin. */
const UNPLANNED_RESTART_MS = 1000;

export interface UnplannedExit {
  name: string;
  exit: ExitInfo;
  /** The last of its output, to see why. */
  output: string;
}

/**
 * A `tevis api` or `tevis worker` process of the chaos stack that the run kills and starts again.
 * An exit the run did not cause is a finding, not noise: it is kept (and reported), and the
 * process is started again so the run goes on.
 */
export class SupervisedProcess {
  readonly unplannedExits: UnplannedExit[] = [];
  private current: ManagedProcess | undefined;
  private readonly all: ManagedProcess[] = [];
  private expectingExit = false;
  private retired = false;

  constructor(
    private readonly processes: ProcessSet,
    readonly name: string,
    private readonly part: 'api' | 'worker',
    private readonly env: NodeJS.ProcessEnv,
    /** Resolves once the fresh process serves (health answers, or the worker polls). */
    private readonly ready: (proc: ManagedProcess) => Promise<void>,
  ) {}

  get process(): ManagedProcess | undefined {
    return this.current;
  }

  /** Starts it and waits until it serves. */
  async start(): Promise<void> {
    const proc = this.processes.spawnTevis(this.name, this.part, this.env);
    this.current = proc;
    this.all.push(proc);
    this.expectingExit = false;
    void proc.exited.then((exit) => {
      if (this.expectingExit || this.retired || this.current !== proc) return;
      this.unplannedExits.push({ name: this.name, exit, output: proc.output().slice(-4000) });
      setTimeout(() => void this.start().catch(() => {}), UNPLANNED_RESTART_MS).unref();
    });
    await this.ready(proc);
  }

  /** The last output of each process it ran, oldest first: what a failed run is read from. */
  log(): string {
    return this.all.map((p) => `--- ${p.describe()}\n`).join('\n');
  }

  /** SIGKILL to its process group; the exit as the OS reported it. */
  async kill(): Promise<ExitInfo> {
    this.expectingExit = true;
    return this.current ? this.current.kill() : { code: null, signal: null };
  }

  /** Retired: a host lost for good, never started again. */
  get isRetired(): boolean {
    return this.retired;
  }

  /** For good: the end of the run (or a host lost). */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.current?.running) await this.current.stop('SIGTERM', 15_000);
  }
}
