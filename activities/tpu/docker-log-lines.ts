import type Docker from 'dockerode';
import type { LogStream } from '../../db/nanocycle-logs-store.js';
import { parseDockerLogFrame } from './docker-log-frame.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';

/**
 * A container's output as lines, always from its first line (no `since`): the engine returns a
 * container's log in the same order every time, so whoever counts lines from the start gives
 * each line the same number every time, which is what lets a retried attempt skip what an earlier
 * one stored. Timestamps come from the engine (when the line was printed).
 */

export interface LineReader {
  /** Resolves when the engine ends the stream; rejects on a stream error or `stop(error)`. */
  done: Promise<void>;
  stop(error?: Error): void;
}

export interface ReadLinesOptions {
  onLine(stream: LogStream, line: SplitLine): void;
  /**
   * Whether a last line without a newline counts when the stream ends. Only when the container
   * has exited: a running one may still finish that line.
   */
  flushPartial: boolean;
  /** Checked after each message: a promise pauses reading until it settles. */
  throttle?: () => Promise<void> | null;
}

type LogReadable = NodeJS.ReadableStream & { destroy(error?: Error): void };

export async function readContainerLines(
  docker: Docker,
  container: Docker.Container,
  options: ReadLinesOptions,
): Promise<LineReader> {
  const stream = (await container.logs({
    follow: true,
    stdout: true,
    stderr: true,
    timestamps: true,
  })) as unknown as LogReadable;
  const splitters: Record<LogStream, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };
  let stopError: Error | null = null;
  const done = new Promise<void>((resolve, reject) => {
    // demuxStream hands over one frame (one log message) per write() call, synchronously and in
    // stream order; a plain object keeps it that way (a Writable could buffer).
    const sink = (which: LogStream) =>
      ({
        write(frame: Buffer) {
          const { at, content } = parseDockerLogFrame(frame);
          for (const line of splitters[which].push(content, at)) options.onLine(which, line);
          const wait = options.throttle?.();
          if (wait && !stream.isPaused()) {
            stream.pause();
            void wait.finally(() => stream.resume());
          }
          return true;
        },
      }) as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
    stream.on('error', reject);
    stream.on('end', () => {
      if (options.flushPartial) {
        for (const which of ['stdout', 'stderr'] as const)
          for (const line of splitters[which].end()) options.onLine(which, line);
      }
      resolve();
    });
    stream.on('close', () => reject(stopError ?? new Error('the engine closed the log stream')));
  });
  // Raced by the caller, and may settle when nothing awaits it any more.
  done.catch(() => {});
  return {
    done,
    stop(error) {
      stopError = error ?? new Error('stopped reading the log');
      stream.destroy(error);
    },
  };
}
