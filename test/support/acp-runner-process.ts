import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { waitFor } from './poll.js';
import { cleanEnv, type ExitInfo, type ManagedProcess, type ProcessSet } from './processes.js';
import { REPO_ROOT } from './repo-paths.js';

/** tsx as a loader URL: the runner and the agent start in a worktree with no node_modules of its own. */
const TSX = import.meta.resolve('tsx');
export const ACP_RUNNER = join(REPO_ROOT, 'tpu', 'acp', 'runner.ts');
export const SCRIPTED_ACP_AGENT = join(REPO_ROOT, 'test', 'support', 'scripted-acp-agent.ts');

/** A typed line the runner printed (tpu/acp/runner-lines.ts), loosely: tests look at its fields. */
export type AcpLine = { tevis: 'acp'; type: string } & Record<string, any>;

export interface AcpRunnerOptions {
  root: string;
  goal?: string;
  contextFile?: string;
  /** SCRIPTED_AGENT_MODE and SCRIPTED_AGENT_ESCAPES for test/support/scripted-acp-agent.ts. */
  agentEnv?: Record<string, string>;
  /** The agent command; the scripted agent unless given. */
  agent?: string[];
  /** A bundled runner (tpu/acp/runner-bundle.ts) to run with plain node; the source through tsx unless given. */
  runnerBundle?: string;
}

/** The in-TPU runner as a real process, its typed stdout lines collected as they come. */
export class AcpRunnerProcess {
  readonly lines: AcpLine[] = [];
  /** Anything on stdout without the tag: the protocol says there is none. */
  readonly untagged: string[] = [];
  private stdoutEnded = false;

  private constructor(readonly process: ManagedProcess) {
    const reader = createInterface({ input: process.child.stdout! });
    reader.on('line', (text) => {
      const value = text.startsWith('{"tevis":"acp"') ? (JSON.parse(text) as AcpLine) : null;
      if (value) this.lines.push(value);
      else this.untagged.push(text);
    });
    reader.on('close', () => {
      this.stdoutEnded = true;
    });
  }

  static start(processes: ProcessSet, options: AcpRunnerOptions): AcpRunnerProcess {
    const agent = options.agent ?? [process.execPath, '--import', TSX, SCRIPTED_ACP_AGENT];
    const runner = options.runnerBundle ? [options.runnerBundle] : ['--import', TSX, ACP_RUNNER];
    const args = [...runner, '--root', options.root];
    if (options.goal !== undefined) args.push('--goal', options.goal);
    if (options.contextFile) args.push('--context', options.contextFile);
    const env = cleanEnv(options.agentEnv ?? {});
    return new AcpRunnerProcess(
      processes.spawn('acp-runner', process.execPath, [...args, '--', ...agent], { env, stdin: 'pipe' }),
    );
  }

  /** Writes one stdin line (an object as JSON, a string as is). */
  send(line: object | string): void {
    this.process.child.stdin!.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  }

  closeStdin(): void {
    this.process.child.stdin!.end();
  }

  /** The first line of `type` matching `match`, once printed; fails at once if stdout ends without it. */
  async waitForLine(type: string, match: (line: AcpLine) => boolean = () => true): Promise<AcpLine> {
    return waitFor(`an ACP "${type}" line`, () => {
      const hit = this.lines.find((line) => line.type === type && match(line));
      if (hit) return hit;
      if (this.stdoutEnded)
        throw Object.assign(new Error(`stdout ended without it:\n${this.describe()}`), { fatal: true });
      return undefined;
    });
  }

  /** Waits for the exit, stdout drained; the last line is `end`. */
  async finished(): Promise<{ exit: ExitInfo; end: AcpLine }> {
    await this.process.closed;
    const end = this.lines.at(-1);
    if (end?.type !== 'end') throw new Error(`the last line is not "end":\n${this.describe()}`);
    return { exit: this.process.exitInfo!, end };
  }

  describe(): string {
    return `${this.lines.map((l) => JSON.stringify(l)).join('\n')}\n${this.process.describe()}`;
  }
}
