import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

const LOG_TAIL_CHARS = 4000;

/** Where the dev server's output goes, and its last lines for an error message when it fails to start. */
export interface LogSink {
  stdio: 'pipe' | number;
  afterSpawn(child: ChildProcess): void;
  tail(): Promise<string>;
}

/** A log file when given; else the last lines, kept in memory. */
export function openLog(logFile: string | undefined): LogSink {
  if (!logFile) {
    let kept = '';
    return {
      stdio: 'pipe',
      afterSpawn(child) {
        const keep = (chunk: Buffer) => {
          kept = (kept + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
        };
        child.stdout?.on('data', keep);
        child.stderr?.on('data', keep);
      },
      tail: async () => kept,
    };
  }
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  return {
    stdio: fd,
    // The child has its own copy of the descriptor.
    afterSpawn: () => closeSync(fd),
    async tail() {
      const file = await open(logFile, 'r');
      try {
        const { size } = await file.stat();
        const length = Math.min(size, LOG_TAIL_CHARS);
        const buffer = Buffer.alloc(length);
        await file.read(buffer, 0, length, size - length);
        return buffer.toString('utf8');
      } finally {
        await file.close();
      }
    },
  };
}
