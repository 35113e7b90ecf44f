import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from './errors.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The text a command takes (a plan, a context document): from `--file F`, from stdin (`-`), or,
 * with neither and a terminal, from the person's editor ($VISUAL, else $EDITOR) opened on `current`.
 */
export async function readTextSource(options: {
  file?: string;
  dash?: boolean;
  current?: () => Promise<string | null>;
  name: string;
  what: string;
}): Promise<string> {
  if (options.file !== undefined && options.dash)
    throw new UsageError('give the text one way: --file F, or - to read stdin');
  if (options.file !== undefined) {
    return readFile(options.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `--file ${options.file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
      );
    });
  }
  if (options.dash) return readStdin();
  const editor = process.env.VISUAL || process.env.EDITOR;
  // An editor needs a person at a terminal; a script without a source is told what to pass.
  if (!editor || !options.current || !process.stdin.isTTY) {
    throw new UsageError(
      `give the ${options.what}: --file F, or - to read it from stdin (at a terminal with $EDITOR set, it opens in your editor)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'tevis-edit-'));
  try {
    const file = join(dir, basename(options.name));
    await writeFile(file, (await options.current()) ?? '');
    // $EDITOR may carry arguments ("code --wait"): the shell splits it, the file goes as "$1".
    const result = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
    if (result.status !== 0)
      throw new UsageError(
        `the editor (${editor}) exited with ${result.status ?? result.signal}; nothing was saved`,
      );
    return await readFile(file, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
