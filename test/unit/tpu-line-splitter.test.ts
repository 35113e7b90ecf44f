import { describe, expect, it } from 'vitest';
import { parseDockerLogFrame } from '../../activities/tpu/docker-log-frame.js';
import { LineSplitter, MAX_LINE_BYTES } from '../../activities/tpu/line-splitter.js';
import { tpuArgv } from '../../activities/tpu/tpu-command.js';
import { tpuContainerName, type TpuRunInput } from '../../activities/tpu/tpu-spec.js';

/** All lines of `bytes` fed in chunks of `size`, then the end. */
function split(bytes: Buffer, size: number): string[] {
  const splitter = new LineSplitter();
  const at = new Date(0);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += size)
    lines.push(...splitter.push(bytes.subarray(i, i + size), at).map((l) => l.text));
  lines.push(...splitter.end().map((l) => l.text));
  return lines;
}

describe('LineSplitter', () => {
  it('gives the same lines wherever the chunks break, multi-byte characters included', () => {
    const text = Buffer.from('one\ntwo ü€\r\n\nlast without newline');
    const expected = ['one', 'two ü€', '', 'last without newline'];
    for (const size of [1, 2, 3, 5, 7, text.length]) expect(split(text, size)).toEqual(expected);
  });

  it('cuts a runaway line into pieces of MAX_LINE_BYTES, the same for any chunking', () => {
    const long = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES * 2 + 10, 'x'), Buffer.from('\nnext\n')]);
    const exact = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES, 'y'), Buffer.from('\n')]);
    for (const size of [1000, MAX_LINE_BYTES, MAX_LINE_BYTES + 1, long.length]) {
      expect(split(long, size).map((l) => l.length)).toEqual([MAX_LINE_BYTES, MAX_LINE_BYTES, 10, 4]);
      // A line of exactly the limit is one line, not a line and an empty one.
      expect(split(exact, size).map((l) => l.length)).toEqual([MAX_LINE_BYTES]);
    }
  });

  it('stamps a line with the time its first byte came', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('par'), new Date(1))).toEqual([]);
    expect(splitter.push(Buffer.from('t\nnext'), new Date(2))).toEqual([{ text: 'part', at: new Date(1) }]);
    expect(splitter.end()).toEqual([{ text: 'next', at: new Date(2) }]);
  });
});

describe('parseDockerLogFrame', () => {
  it('takes the engine timestamp off a message and keeps the rest as it is', () => {
    const frame = parseDockerLogFrame(Buffer.from('2026-11-24T20:58:57.561217196Z  two spaces, no newline'));
    expect(frame.at.toISOString()).toBe('2026-11-24T20:58:57.561Z');
    expect(frame.content.toString()).toBe(' two spaces, no newline');
  });

  it('leaves an untimestamped frame whole', () => {
    expect(parseDockerLogFrame(Buffer.from('hello world\n')).content.toString()).toBe('hello world\n');
  });
});

describe('TPU naming and commands', () => {
  const base = { sessionId: 'sess_a1b2c3', nanocycleId: 'NC-007', runId: 'Run:1' };

  it('names the container from the ids alone, lowercased, in the characters Docker allows', () => {
    expect(tpuContainerName(base)).toBe('tevis-sess_a1b2c3-nc-007-run-1');
  });

  it('passes steps as arguments, never inside the script', () => {
    const argv = tpuArgv({ ...base, steps: ['echo "$HOME"; exit 3', 'rm -rf /'] } as TpuRunInput);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3)).toEqual(['tevis-steps', 'echo "$HOME"; exit 3', 'rm -rf /']);
    expect(argv[2]).not.toContain('rm -rf');
  });
});
