import yoctoSpinner, { type Spinner } from 'yocto-spinner';

/**
 * A spinner on a terminal; plain lines when stderr is a pipe or CI log (one per step, never a
 * repeated frame); nothing at all under `--json`. Always on stderr, so stdout stays the result.
 */
export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  /**
   * Whether the spinner may exit the process on Ctrl-C. Commands that stop things on a signal
   * (`tevis up`) must handle it themselves.
   */
  handleSignals?: boolean;
  stream?: NodeJS.WriteStream;
}

const SILENT: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

function isInteractive(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb' && !('CI' in process.env);
}

export function startProgress(text: string, options: ProgressOptions): Progress {
  if (!options.enabled) return SILENT;
  const stream = options.stream ?? process.stderr;
  if (!isInteractive(stream)) return lineProgress(text, stream);
  const spinner: Spinner = yoctoSpinner({
    text,
    stream,
    handleSignals: options.handleSignals ?? true,
  }).start();
  return {
    update(next) {
      if (spinner.text !== next) spinner.text = next;
    },
    succeed(final) {
      spinner.success(final);
    },
    fail(final) {
      spinner.error(final);
    },
    stop() {
      spinner.stop();
    },
  };
}

function lineProgress(text: string, stream: NodeJS.WriteStream): Progress {
  let current = text;
  stream.write(`… ${text}\n`);
  return {
    update(next) {
      if (next === current) return;
      current = next;
      stream.write(`… ${next}\n`);
    },
    succeed(final) {
      stream.write(`✔ ${final ?? current}\n`);
    },
    fail(final) {
      stream.write(`✖ ${final ?? current}\n`);
    },
    stop() {},
  };
}
