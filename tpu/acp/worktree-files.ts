import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The agent's `fs/read_text_file` and `fs/write_text_file`, served only inside the worktree. The
 * agent is untrusted (the README's "Threat model": it may create any link in its worktree), so
 * a path is refused when it names a place outside the root lexically (`..`, an absolute path
 * elsewhere) or once every link on the way is resolved (a link in the worktree pointing out, a
 * dangling link that a write would create a file through). The last step opens with O_NOFOLLOW,
 * so a link swapped in after the check fails instead of being followed.
 */
export class RefusedPath extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(path)} is refused: ${reason}`);
  }
}

/** The file does not exist (inside the worktree): an ordinary answer, not a refusal. */
export class MissingFile extends Error {
  constructor(readonly path: string) {
    super(`${JSON.stringify(path)} does not exist`);
  }
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export class WorktreeFiles {
  private constructor(
    /** The root as given: agents name files under it (`/workspace/...`). */
    readonly root: string,
    /** The root with its own links resolved: what every resolved path is compared with. */
    private readonly realRoot: string,
  ) {}

  static async at(root: string): Promise<WorktreeFiles> {
    const absolute = resolve(root);
    return new WorktreeFiles(absolute, await realpath(absolute));
  }

  async read(path: string, line?: number | null, limit?: number | null): Promise<string> {
    const { resolved, missing } = await this.confine(path);
    if (missing) throw new MissingFile(path);
    // O_NONBLOCK: a FIFO the agent made in its worktree must not hang the runner.
    const file = await open(resolved, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) throw new RefusedPath(path, 'not a regular file');
      const text = await file.readFile('utf8');
      if (line == null && limit == null) return text;
      const start = Math.max((line ?? 1) - 1, 0);
      const lines = text.split('\n');
      return lines.slice(start, limit == null ? undefined : start + limit).join('\n');
    } finally {
      await file.close();
    }
  }

  async write(path: string, content: string): Promise<void> {
    const { resolved, missing } = await this.confine(path);
    if (missing) await mkdir(dirname(resolved), { recursive: true });
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
    const file = await open(resolved, flags, 0o644);
    try {
      // Truncated only once it is known to be a regular file: O_TRUNC would act before the check.
      if (!(await file.stat()).isFile()) throw new RefusedPath(path, 'not a regular file');
      await file.truncate(0);
      await file.writeFile(content, 'utf8');
    } finally {
      await file.close();
    }
  }

  /**
   * Where `path` really is: its nearest existing ancestor with links resolved, plus the names that
   * do not exist yet. Refuses anything that ends up outside the real root.
   */
  private async confine(path: string): Promise<{ resolved: string; missing: boolean }> {
    if (path.includes('\0')) throw new RefusedPath(path, 'a path cannot hold a NUL character');
    const lexical = resolve(this.root, path);
    if (!within(this.root, lexical)) throw new RefusedPath(path, `outside the worktree ${this.root}`);
    let existing = join(this.realRoot, relative(this.root, lexical));
    const rest: string[] = [];
    while (!(await this.exists(existing))) {
      rest.unshift(basename(existing));
      existing = dirname(existing);
    }
    let real: string;
    try {
      real = await realpath(existing);
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ELOOP')
        throw new RefusedPath(path, 'a link that leads nowhere');
      throw error;
    }
    if (!within(this.realRoot, real)) throw new RefusedPath(path, 'a link leads outside the worktree');
    return { resolved: join(real, ...rest), missing: rest.length > 0 };
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await lstat(path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }
}
