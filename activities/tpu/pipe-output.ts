import type { LogStream } from '../../db/nanocycle-logs-store.js';
import { LineSplitter } from './line-splitter.js';
import { BACKLOG_HIGH, BACKLOG_LOW, type LogRecorder } from './log-recorder.js';

/**
 * Records a process's stdout and stderr line by line. A pipe pauses while the database falls
 * behind; a failed write calls `onFailed` (which stops the process). `end()` records the last
 * lines that had no newline, once the process has closed its pipes.
 */
export function recordPipes(
  pipes: Record<LogStream, NodeJS.ReadableStream>,
  recorder: LogRecorder,
  onFailed: () => void,
): { end(): void } {
  const splitters: Record<LogStream, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };
  const read = (which: LogStream, source: NodeJS.ReadableStream) => {
    source.on('data', (chunk: Buffer) => {
      recorder.addAll(which, splitters[which].push(chunk, new Date()));
      if (recorder.error) onFailed();
      else if (recorder.backlog > BACKLOG_HIGH && !source.isPaused()) {
        source.pause();
        void recorder.whenBacklogAtMost(BACKLOG_LOW).then(() => source.resume());
      }
    });
  };
  read('stdout', pipes.stdout);
  read('stderr', pipes.stderr);
  return {
    end() {
      recorder.addAll('stdout', splitters.stdout.end());
      recorder.addAll('stderr', splitters.stderr.end());
    },
  };
}
