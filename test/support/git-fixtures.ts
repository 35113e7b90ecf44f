import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The one repository builder and `git()` of the test kit: a working repository with a few
 * commits, a `.tevis/plan.md` and a `.tevis/config.json` carrying preferences, and its bare clone
 * that plays the remote a project points at. Used by the integration, e2e and workflow tests alike.
 */

const execFileAsync = promisify(execFile);

const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Tevis Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@tevis.invalid',
  GIT_COMMITTER_NAME: 'Tevis Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@tevis.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

/** Runs git with a fixed identity and no system configuration; returns stdout. */
export async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The commit `dir` (a work tree or a bare repository) has checked out or points HEAD at. */
export async function gitHead(dir: string): Promise<string> {
  return (await git(['rev-parse', 'HEAD'], dir)).trim();
}

/** The preferences the fixture's `.tevis/config.json` carries. */
export const REPOSITORY_PREFERENCES = { style: 'from-repository', lint: 'strict' } as const;

/** A one-commit repository: a README and a plan, for tests that only need something to clone. */
export const SMALL_REPOSITORY = { 'README.md': '# fixture\n', '.tevis/plan.md': '# plan\n' } as const;

export const PLAN_MD = '# Plan\n\n- build the thing\n- ship it\n';

export interface GitFixtureOptions {
  /** The branch the repository starts on; `main` unless set. */
  defaultBranch?: string;
  /**
   * The whole content of the default branch, in one commit, instead of the project layout (three
   * commits: README, src/, `.tevis/plan.md` and `config.json`, docs/); `files` and `symlinks` join it.
   */
  only?: Record<string, string>;
  /** Extra branches made from the default branch, each with one commit of its own. */
  branches?: string[];
  /** Extra files committed on the default branch (path → content). */
  files?: Record<string, string>;
  /** Symlinks committed on the default branch (path in the repo → link target, may be outside). */
  symlinks?: Record<string, string>;
}

export interface GitFixture {
  /** The working repository the commits were made in. */
  work: string;
  /** The bare clone: what a project's `repository` points at. */
  remote: string;
  /** The remote as a `file://` URL: git then uses its real transport (upload-pack), not a local copy. */
  fileUrl: string;
  defaultBranch: string;
  /** Head commit of the default branch on the remote. */
  readonly head: string;
  /** Head commit of each branch on the remote. */
  heads: Record<string, string>;
  /** Commits more files on `branch` in the working repository and pushes them to the remote. */
  commit(files: Record<string, string>, message: string, branch?: string): Promise<string>;
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function commitSymlinks(work: string, symlinks: Record<string, string>): Promise<void> {
  for (const [path, target] of Object.entries(symlinks)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await symlink(target, join(work, path));
  }
}

/** The fixture's usual history: three commits that look like a small project using Tevis. */
async function commitProjectLayout(work: string, options: GitFixtureOptions): Promise<void> {
  await writeFiles(work, {
    'README.md': '# Fixture project\n\nA repository made by the Tevis tests.\n',
    'src/index.ts': 'export const answer = 42;\n',
  });
  await git(['add', '-A'], work);
  await git(['commit', '-q', '-m', 'initial commit'], work);

  await writeFiles(work, {
    '.tevis/plan.md': PLAN_MD,
    '.tevis/config.json': `${JSON.stringify({ preferences: REPOSITORY_PREFERENCES, ignored: { nested: true } }, null, 2)}\n`,
    'docs/architecture.md': '# Architecture\n\nBoxes and arrows.\n',
  });
  await git(['add', '-A'], work);
  await git(['commit', '-q', '-m', 'add the Tevis plan and configuration'], work);

  await writeFiles(work, options.files ?? {});
  await commitSymlinks(work, options.symlinks ?? {});
  await writeFiles(work, { 'src/util.ts': 'export const twice = (n: number) => n * 2;\n' });
  await git(['add', '-A'], work);
  await git(['commit', '-q', '-m', 'add util and fixtures'], work);
}

/** Makes `<dir>/work` (main with three commits, plus `options.branches`) and `<dir>/remote.git`. */
export async function makeGitFixture(dir: string, options: GitFixtureOptions = {}): Promise<GitFixture> {
  const work = join(dir, 'work');
  const remote = join(dir, 'remote.git');
  const defaultBranch = options.defaultBranch ?? 'main';
  await mkdir(work, { recursive: true });
  await git(['init', '-q', '-b', defaultBranch, work]);

  if (options.only) {
    await writeFiles(work, { ...options.only, ...options.files });
    await commitSymlinks(work, options.symlinks ?? {});
    await git(['add', '-A'], work);
    await git(['commit', '-q', '-m', 'initial commit'], work);
  } else {
    await commitProjectLayout(work, options);
  }

  for (const branch of options.branches ?? []) {
    await git(['checkout', '-q', '-b', branch, defaultBranch], work);
    await writeFiles(work, { [`branches/${branch.replace(/\//g, '_')}.md`]: `work on ${branch}\n` });
    await git(['add', '-A'], work);
    await git(['commit', '-q', '-m', `start ${branch}`], work);
  }
  await git(['checkout', '-q', defaultBranch], work);

  await git(['clone', '-q', '--bare', work, remote]);
  const heads: Record<string, string> = {};
  for (const branch of [defaultBranch, ...(options.branches ?? [])]) {
    heads[branch] = (await git(['rev-parse', `refs/heads/${branch}`], remote)).trim();
  }
  await git(['remote', 'add', 'origin', remote], work);

  return {
    work,
    remote,
    fileUrl: `file://${remote}`,
    defaultBranch,
    get head() {
      return heads[defaultBranch]!;
    },
    heads,
    async commit(files, message, branch = defaultBranch) {
      await git(['checkout', '-q', branch], work);
      await writeFiles(work, files);
      await git(['add', '-A'], work);
      await git(['commit', '-q', '-m', message], work);
      await git(['push', '-q', 'origin', branch], work);
      const head = (await git(['rev-parse', 'HEAD'], work)).trim();
      heads[branch] = head;
      await git(['checkout', '-q', defaultBranch], work);
      return head;
    },
  };
}
