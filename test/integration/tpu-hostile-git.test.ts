import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NanocycleRecord } from '../../contracts/nanocycle-records.js';
import type { TimelineEvent } from '../../contracts/timeline.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDockerEngine, TPU_TEST_IMAGE, type DockerEngine } from '../support/docker-engine.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * A run step is untrusted code: it may rewrite every file of its worktree, `.git` included, and
 * plant links. These steps try to get the worker to run code on the host (hooks, fsmonitor and
 * other commands of a git directory they plant or point the worktree at), to write into another
 * session's repository, to make the record name a commit that exists nowhere, and to make the
 * worker read or change host files through links. Each test proves that nothing happened: no
 * marker a planted command would have written exists on the host, the secret's text is nowhere
 * in the record, the other workspace and the host files are as they were, and a recorded commit
 * is the head of its branch in the session repository.
 *
 * Every case runs on the Docker executor (a dockerd of this file's own) and on the executor the
 * worker picks when no engine answers (a local process in this branch, the sandbox later).
 */

const SECRET = `tevis-secret-${randomBytes(8).toString('hex')}`;
/** Owner of the host files the steps point links at: a chown through a link would change it. */
const HOST_OWNER = 4242;

let engine: DockerEngine;
/** Outside every worktree and workspace: the markers a planted command would create, and the secrets. */
let hostDir: string;
let secretDir: string;
let secretFile: string;

beforeAll(async () => {
  engine = await startDockerEngine();
  hostDir = await mkdtemp(join(tmpdir(), 'tevis-hostile-'));
  secretDir = join(hostDir, 'secret');
  await mkdir(secretDir);
  secretFile = join(secretDir, 'api-token');
  const secretJson = JSON.stringify({ reason: SECRET, preferences: { stolen: SECRET } });
  for (const [name, content] of [
    ['api-token', SECRET],
    ['hold.json', secretJson],
    ['config.json', secretJson],
    ['plan.md', `# ${SECRET}\n`],
  ]) {
    await writeFile(join(secretDir, name!), content!);
    await chown(join(secretDir, name!), HOST_OWNER, HOST_OWNER);
  }
  await chown(secretDir, HOST_OWNER, HOST_OWNER);
});

afterAll(async () => {
  await engine?.stop();
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// What the hostile steps plant (busybox sh inside the TPU image; any sh locally)

/** Hooks git runs around add, commit, merge and checkout. */
const HOOKS = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'post-index-change',
  'reference-transaction',
  'pre-merge-commit',
  'post-merge',
  'post-checkout',
  'pre-auto-gc',
  'post-rewrite',
];

/**
 * Shell that makes a git directory at `dir` whose hooks and configured commands each create a
 * marker in `markers` (on the host, where only the worker could create it).
 */
function plantGitDir(dir: string, markers: string): string {
  const config = [
    '[core]',
    'repositoryformatversion = 0',
    'bare = false',
    `fsmonitor = touch ${markers}/fsmonitor`,
    // Relative to the top of the work tree: the planted hooks, wherever git is pointed.
    `hooksPath = ${dir}/hooks`,
    `pager = touch ${markers}/pager`,
    `editor = touch ${markers}/editor`,
    `sshCommand = touch ${markers}/ssh`,
    `askPass = touch ${markers}/askpass`,
    '[diff]',
    `external = touch ${markers}/diff-external`,
    '[diff "evil"]',
    `textconv = touch ${markers}/textconv`,
    '[filter "evil"]',
    `clean = touch ${markers}/filter-clean`,
    `smudge = touch ${markers}/filter-smudge`,
    '[merge "evil"]',
    `driver = touch ${markers}/merge-driver`,
    '[credential]',
    `helper = !touch ${markers}/credential`,
    '[gpg]',
    `program = touch ${markers}/gpg`,
    '[alias]',
    `add = !touch ${markers}/alias`,
  ];
  return [
    `mkdir -p ${dir}/hooks ${dir}/objects/info ${dir}/objects/pack ${dir}/refs/heads ${dir}/refs/tags`,
    `printf 'ref: refs/heads/main\\n' > ${dir}/HEAD`,
    `printf '%s\\n' ${config.map((line) => `'${line}'`).join(' ')} > ${dir}/config`,
    `for h in ${HOOKS.join(' ')}; do printf '#!/bin/sh\\ntouch ${markers}/hook-%s\\n' $h > ${dir}/hooks/$h; chmod 755 ${dir}/hooks/$h; done`,
  ].join(' && ');
}

/** Attributes that would send every file through the planted filter, diff and merge drivers. */
const EVIL_ATTRIBUTES = `printf '* filter=evil diff=evil merge=evil\\n' > .gitattributes`;

// ---------------------------------------------------------------------------------------------

/**
 * The two executors, each asked for in both ways a worker may choose: `TEVIS_TPU_EXECUTOR` where
 * the worker reads it, else by whether an engine answers at DOCKER_HOST (none does at the second
 * address, so the worker runs the step with its executor without an engine: a local process or
 * the sandbox). `recorded` is what the nanocycle's record must then name.
 */
const executors = [
  {
    executor: 'docker',
    recorded: /^docker$/,
    dockerHost: () => engine.dockerHost,
    env: () => ({ TEVIS_TPU_EXECUTOR: 'docker', DOCKER_HOST: engine.dockerHost }),
  },
  {
    executor: 'no-engine',
    recorded: /^(local|sandbox)$/,
    dockerHost: () => 'unix:///nonexistent/tevis-no-engine.sock',
    env: () => ({ TEVIS_TPU_EXECUTOR: 'sandbox' }),
  },
];

describe.each(executors)(
  'a hostile run step on the $executor executor',
  ({ executor, recorded, dockerHost, env }) => {
    let h: Harness;
    let remote = '';
    let markers = '';
    let projects = 0;
    let savedDockerHost: string | undefined;

    beforeAll(async () => {
      savedDockerHost = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = dockerHost();
      h = await startHarness({ database: 'postgres', label: `hostile-${executor}`, env: env() });
      remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
    });

    // A directory of its own per test: what one test's planted commands wrote never shows in another's.
    let tests = 0;
    beforeEach(async () => {
      markers = join(hostDir, `markers-${executor}-${++tests}`);
      await mkdir(markers);
    });

    afterAll(async () => {
      await h?.stop();
      if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedDockerHost;
    });

    async function activeSession(repository = remote): Promise<{ id: string; workspace: string }> {
      const name = `hostile-${executor}-${++projects}`;
      await createProject(h, { name, repository, execution: { image: TPU_TEST_IMAGE, holdMerge: false } });
      const { session } = await createActiveSession(h, { project: name });
      return { id: session.id, workspace: session.workspacePath };
    }

    async function nanocycle(sessionId: string, run: string[]): Promise<string> {
      const created = await h.call('POST', `/sessions/${sessionId}/nanocycles`, { name: 'hostile', run });
      expect(created.status, created.text).toBe(201);
      return created.json.id;
    }

    const settled = (sessionId: string, nc: string, wanted: string[]) =>
      h.api.waitForNanocycle(sessionId, nc, wanted);
    const pendingHold = (sessionId: string, kind: string) => h.api.waitForPendingHold(sessionId, kind);

    /** Everything the API shows of the session and everything in the database, as one text. */
    async function wholeRecord(sessionId: string): Promise<string> {
      const parts: string[] = [];
      for (const path of ['', '/nanocycles', '/holds', '/events', '/output', '/summary'])
        parts.push((await h.call('GET', `/sessions/${sessionId}${path}`)).text);
      for (const nc of (await h.call('GET', `/sessions/${sessionId}/nanocycles`)).json.nanocycles) {
        parts.push((await h.call('GET', `/sessions/${sessionId}/nanocycles/${nc.id}/logs`)).text);
      }
      const client = new pg.Client({ connectionString: h.config.databaseUrl });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          "select table_name from information_schema.tables where table_schema = 'public'",
        );
        for (const { table_name } of tables.rows)
          parts.push(JSON.stringify((await client.query(`select * from "${table_name}"`)).rows));
      } finally {
        await client.end();
      }
      return parts.join('\n');
    }

    const markersLeft = () => readdirSync(markers);

    /**
     * Every commit the record names exists in the session repository: the nanocycle's own (its
     * `nanocycle.completed` event) is the head of its branch there, and the merge commit (its
     * `nanocycle.merged` event) brought exactly that branch head into the session branch. Returns
     * the former.
     */
    async function expectRecordedCommitsInSessionRepo(
      sessionId: string,
      workspace: string,
      row: NanocycleRecord,
    ): Promise<string> {
      let events: TimelineEvent[] = [];
      const eventOf = (type: string) => events.find((e) => e.type === type && e.data.nanocycleId === row.id);
      await waitFor(
        `${row.id}'s completed and merged events`,
        async () => {
          events = await h.api.events(sessionId);
          return Boolean(eventOf('nanocycle.completed') && eventOf('nanocycle.merged'));
        },
        { timeoutMs: 15_000 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; events: ${JSON.stringify(events.map((e) => [e.type, e.data]))}`);
      });
      const commit = eventOf('nanocycle.completed')?.data.commit as string;
      expect(commit).toMatch(/^[0-9a-f]{40}$/);
      expect((await git(['cat-file', '-t', commit], workspace)).trim()).toBe('commit');
      expect((await git(['rev-parse', `refs/heads/${row.branch}`], workspace)).trim()).toBe(commit);
      expect(row.status).toBe('merged');
      const merge = eventOf('nanocycle.merged')?.data.commit as string;
      expect(merge).toMatch(/^[0-9a-f]{40}$/);
      expect((await git(['rev-parse', `${merge}^2`], workspace)).trim()).toBe(commit);
      await git(['merge-base', '--is-ancestor', merge, 'HEAD'], workspace);
      return commit;
    }

    /** The worktree's `.git` is what git wrote again, so the workspace's worktree bookkeeping keeps it. */
    async function expectGitfileRestored(sessionId: string, workspace: string, nc: string): Promise<void> {
      const worktree = join(h.home, 'worktrees', sessionId, nc);
      const gitfile = join(worktree, '.git');
      if (!existsSync(gitfile)) return;
      expect(lstatSync(gitfile).isFile()).toBe(true);
      expect(readFileSync(gitfile, 'utf8')).toMatch(
        new RegExp(`^gitdir: .*${workspace.split('/').pop()}/\\.git/worktrees/`),
      );
      await git(['worktree', 'prune'], workspace);
      expect(await git(['worktree', 'list', '--porcelain'], workspace)).toContain(`worktree ${worktree}\n`);
    }

    it('replaces .git with a git directory of its own: none of its hooks or commands run, and the tree is committed into the session repository', async () => {
      const { id, workspace } = await activeSession();
      const nc = await nanocycle(id, [
        'rm -f .git',
        plantGitDir('.git', markers),
        EVIL_ATTRIBUTES,
        'echo payload > payload.txt',
      ]);
      const row = await settled(id, nc, ['merged']);
      expect(row.executor).toMatch(recorded);
      // Diff and workspace state run git as well, with the planted attributes now merged in.
      expect((await h.call('GET', `/sessions/${id}/nanocycles/${nc}/diff`)).status).toBe(200);
      expect((await h.call('GET', `/sessions/${id}`)).status).toBe(200);
      expect(markersLeft()).toEqual([]);
      const commit = await expectRecordedCommitsInSessionRepo(id, workspace, row);
      const files = (await git(['ls-tree', '-r', '--name-only', commit], workspace)).split('\n');
      expect(files).toEqual(expect.arrayContaining(['payload.txt', '.gitattributes']));
      expect(files.filter((f) => f.split('/').includes('.git'))).toEqual([]);
      expect(readFileSync(join(workspace, 'payload.txt'), 'utf8')).toBe('payload\n');
      await expectGitfileRestored(id, workspace, nc);
    });

    it('re-points the gitfile at a git directory it made: git never uses it, the directory is committed as plain files', async () => {
      const { id, workspace } = await activeSession();
      const nc = await nanocycle(id, [
        plantGitDir('evil', markers),
        EVIL_ATTRIBUTES,
        "rm -f .git && printf 'gitdir: evil\\n' > .git",
        'echo payload > payload.txt',
      ]);
      const row = await settled(id, nc, ['merged']);
      expect(row.executor).toMatch(recorded);
      expect(markersLeft()).toEqual([]);
      const commit = await expectRecordedCommitsInSessionRepo(id, workspace, row);
      expect((await git(['ls-tree', '-r', '--name-only', commit], workspace)).split('\n')).toEqual(
        expect.arrayContaining(['payload.txt', 'evil/HEAD', 'evil/config']),
      );
      await expectGitfileRestored(id, workspace, nc);
    });

    it("re-points the gitfile at another session's workspace: that repository is untouched, the commit lands in its own", async () => {
      const other = await activeSession();
      const otherState = async () => ({
        refs: await git(['for-each-ref'], other.workspace),
        status: await git(['status', '--porcelain', '--untracked-files=all'], other.workspace),
        objects: await git(['count-objects', '-v'], other.workspace),
        head: await git(['rev-parse', 'HEAD'], other.workspace),
      });
      const otherBefore = await otherState();
      const { id, workspace } = await activeSession();
      const nc = await nanocycle(id, [
        `rm -f .git && printf 'gitdir: ${other.workspace}/.git\\n' > .git`,
        'echo payload > payload.txt',
      ]);
      const row = await settled(id, nc, ['merged']);
      expect(row.executor).toMatch(recorded);
      const commit = await expectRecordedCommitsInSessionRepo(id, workspace, row);
      expect(await otherState()).toEqual(otherBefore);
      await expect(git(['cat-file', '-t', commit], other.workspace)).rejects.toThrow();
      await expectGitfileRestored(id, workspace, nc);
    });

    it('leaves a git repository inside the tree: the nanocycle fails saying so, nothing is committed or run', async () => {
      const { id, workspace } = await activeSession();
      const start = (await git(['rev-parse', 'HEAD'], workspace)).trim();
      const nc = await nanocycle(id, [
        plantGitDir('sub/.git', markers),
        "printf '* filter=evil\\n' > sub/.gitattributes",
        'echo inner > sub/file.txt',
      ]);
      const row = await settled(id, nc, ['failed']);
      expect(row.executor).toMatch(recorded);
      expect(row.data.commit ?? null).toBeNull();
      expect(JSON.stringify(row)).toContain('sub/.git');
      expect(JSON.stringify(row)).toMatch(/repository inside a repository/);
      expect((await git(['rev-parse', `refs/heads/${row.branch}`], workspace)).trim()).toBe(start);
      expect(markersLeft()).toEqual([]);
    });

    it('links .tevis/hold.json at a host secret: the hold point opens without it, and the host file stays', async () => {
      const { id } = await activeSession();
      const nc = await nanocycle(id, [
        `if [ -z "$TEVIS_HOLD_ANSWER" ]; then mkdir -p .tevis && ln -s ${join(secretDir, 'hold.json')} .tevis/hold.json; exit 75; fi`,
      ]);
      const hold = await pendingHold(id, 'agent');
      expect(hold.reason).toMatch(/without saying why/);
      expect(
        (await h.call('POST', `/sessions/${id}/holds/${hold.id}/reject`, { comment: 'no' })).status,
      ).toBe(200);
      await settled(id, nc, ['rejected']);
      expect(readFileSync(join(secretDir, 'hold.json'), 'utf8')).toContain(SECRET);
      expect(await wholeRecord(id)).not.toContain(SECRET);
    });

    it('links the .tevis directory at a host directory: its hold.json is neither read nor removed', async () => {
      const { id } = await activeSession();
      const nc = await nanocycle(id, [
        `if [ -z "$TEVIS_HOLD_ANSWER" ]; then rm -rf .tevis && ln -s ${secretDir} .tevis; exit 75; fi`,
      ]);
      const hold = await pendingHold(id, 'agent');
      expect(hold.reason).toMatch(/without saying why/);
      expect(
        (await h.call('POST', `/sessions/${id}/holds/${hold.id}/reject`, { comment: 'no' })).status,
      ).toBe(200);
      await settled(id, nc, ['rejected']);
      expect(existsSync(join(secretDir, 'hold.json'))).toBe(true);
      expect(await wholeRecord(id)).not.toContain(SECRET);
    });

    it('makes .tevis/hold.json a FIFO: the worker does not wait on it, the hold point opens', async () => {
      const { id } = await activeSession();
      const nc = await nanocycle(id, [
        'if [ -z "$TEVIS_HOLD_ANSWER" ]; then mkdir -p .tevis && mkfifo .tevis/hold.json; exit 75; fi',
      ]);
      const hold = await pendingHold(id, 'agent');
      expect(hold.reason).toMatch(/without saying why/);
      expect(
        (await h.call('POST', `/sessions/${id}/holds/${hold.id}/reject`, { comment: 'no' })).status,
      ).toBe(200);
      await settled(id, nc, ['rejected']);
    });

    it('plants links out of the tree for the walk that gives the worktree back: host files keep their owner', async () => {
      const { id, workspace } = await activeSession();
      const nc = await nanocycle(id, [
        `ln -s ${secretFile} link-to-file`,
        `ln -s ${secretDir} link-to-dir`,
        'mkdir -p d && ln -s / d/root',
        'echo payload > payload.txt',
      ]);
      const row = await settled(id, nc, ['merged']);
      expect(row.executor).toMatch(recorded);
      await expectRecordedCommitsInSessionRepo(id, workspace, row);
      for (const path of [secretDir, secretFile, join(secretDir, 'hold.json')]) {
        expect(statSync(path)).toMatchObject({ uid: HOST_OWNER, gid: HOST_OWNER });
      }
      expect(statSync('/').uid).toBe(0);
      // The tree itself is the worker's again, links included (git refuses a tree another user owns).
      const worktree = join(h.home, 'worktrees', id, nc);
      if (existsSync(worktree)) {
        expect(lstatSync(join(worktree, 'link-to-file')).uid).toBe(process.getuid!());
        expect(lstatSync(join(worktree, 'payload.txt')).uid).toBe(process.getuid!());
      }
    });

    it('merged work links .tevis files at host secrets: the context loader reads none of them, the end-of-session cleanup removes nothing through them', async () => {
      // A repository whose .tevis holds links out (as merged TPU work can leave it): to a token, to
      // a JSON file with preferences, and a repository whose .tevis is itself a link.
      const linked = await makeGitFixture(join(h.home, `linked-${++projects}`), {
        symlinks: { '.tevis/leak.md': secretFile, 'docs/token.md': secretFile },
      });
      await git(['rm', '-q', '.tevis/config.json'], linked.work);
      await symlink(join(secretDir, 'config.json'), join(linked.work, '.tevis', 'config.json'));
      await git(['add', '-A'], linked.work);
      await git(['commit', '-q', '-m', 'link the configuration out'], linked.work);
      await git(['push', '-q', 'origin', 'main'], linked.work);
      const { id, workspace } = await activeSession(linked.remote);
      const view = (await h.call('GET', `/sessions/${id}`)).json;
      expect(view.state.activeContext.context.docs).toEqual(['.tevis/plan.md']);
      expect(JSON.stringify(view)).not.toContain(SECRET);
      expect(lstatSync(join(workspace, '.tevis', 'config.json')).isSymbolicLink()).toBe(true);
      // The files API follows no link out either.
      for (const path of ['.tevis/leak.md', '.tevis/config.json', 'docs/token.md']) {
        const reply = await h.call('GET', `/sessions/${id}/files?path=${encodeURIComponent(path)}`);
        expect(reply.status).toBe(403);
        expect(reply.text).not.toContain(SECRET);
      }

      const dirLinked = await makeGitFixture(join(h.home, `linked-${++projects}`));
      await git(['rm', '-q', '-r', '.tevis'], dirLinked.work);
      await symlink(secretDir, join(dirLinked.work, '.tevis'));
      await git(['add', '-A'], dirLinked.work);
      await git(['commit', '-q', '-m', 'link .tevis out'], dirLinked.work);
      await git(['push', '-q', 'origin', 'main'], dirLinked.work);
      const second = await activeSession(dirLinked.remote);
      const secondView = (await h.call('GET', `/sessions/${second.id}`)).json;
      expect(secondView.state.activeContext.context.docs).toEqual([]);
      expect(secondView.state.activeContext.context.preferences).not.toHaveProperty('stolen');
      // Ending the session cleans `.tevis/tmp` in its workspace: not through the link.
      await mkdir(join(secretDir, 'tmp'), { recursive: true });
      await writeFile(join(secretDir, 'tmp', 'keep'), 'host');
      expect((await h.call('POST', `/sessions/${second.id}/end`)).status).toBe(200);
      await h.waitForSession(second.id, (s) => s.session.status === 'ended', 'the session to end');
      expect(readFileSync(join(secretDir, 'tmp', 'keep'), 'utf8')).toBe('host');
      expect(await wholeRecord(id)).not.toContain(SECRET);
      expect(await wholeRecord(second.id)).not.toContain(SECRET);
    });
  },
);
