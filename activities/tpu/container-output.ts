import type Docker from 'dockerode';
import { readContainerLines, type LineReader } from './docker-log-lines.js';
import { BACKLOG_HIGH, BACKLOG_LOW, type LogRecorder } from './log-recorder.js';

/** A container's stdout and stderr, read from the engine into the run's record. */
export class ContainerOutput {
  private reader: LineReader | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    private readonly recorder: LogRecorder,
  ) {}

  /** Stops reading; the engine's stream is closed. */
  stop(): void {
    this.reader?.stop();
  }

  /** Reads until the engine ends the stream (the container stopped, or had already). */
  async follow(exitedAlready: boolean, aborted: Promise<never>): Promise<void> {
    this.reader = await readContainerLines(this.docker, this.container, {
      onLine: (which, line) => this.recorder.add(which, line),
      flushPartial: exitedAlready,
      throttle: this.throttle,
    });
    await Promise.race([this.reader.done, aborted]);
  }

  /**
   * Following a running container, the engine can end the stream before the last message it
   * stores (a last line without a newline, at least, is written after the container is seen to
   * stop). Reads the now complete log once more, counting from the start, and takes the lines past
   * those already taken.
   */
  async readRest(aborted: Promise<never>): Promise<void> {
    let index = 0;
    const taken = this.recorder.lines;
    this.reader = await readContainerLines(this.docker, this.container, {
      onLine: (which, line) => {
        index += 1;
        if (index > taken) this.recorder.add(which, line);
      },
      flushPartial: true,
      throttle: this.throttle,
    });
    await Promise.race([this.reader.done, aborted]);
  }

  /** The engine's stream waits while the database falls behind, and stops if writing failed. */
  private readonly throttle = () => {
    if (this.recorder.error) this.reader?.stop(this.recorder.error as Error);
    return this.recorder.backlog > BACKLOG_HIGH ? this.recorder.whenBacklogAtMost(BACKLOG_LOW) : null;
  };
}
