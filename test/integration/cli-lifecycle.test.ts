import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { type CliRun, describeRun, runCli } from '../support/cli-run.js';
import { type GitFixture, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import { TEVIS_BIN } from '../support/repo-paths.js';
import { waitForHealth } from '../support/stack-probes.js';
import { freeLoopbackPort } from '../support/free-port.js';

/**
 * Issue 2, "the whole lifecycle through the CLI": `tevis up` runs as a child process on embedded
 * defaults (its own Temporal dev server, PGlite), and every step is `node bin/tevis.js … --json`
 * as a user or a script would run it, checked by its JSON and its exit code.
 */

const EXIT = {
  ok: 0,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unavailable: 5,
  unauthorized: 6,
  sessionFailed: 7,
} as const;

describe('the CLI, end to end against `tevis up`', () => {
  const processes = new ProcessSet();
  let root: string;
  let env: NodeJS.ProcessEnv;
  let up: ManagedProcess;
  let temporalAddress: string;
  let alphaRepo: GitFixture;
  let betaRepo: GitFixture;
  /** Session ids, filled by the lifecycle test and used by the ones after it. */
  const ids: { a?: string; a2?: string; b?: string } = {};

  const tevis = (...args: string[]) => runCli(processes, [...args, '--json'], env);

  /** Runs the command and expects exit 0 and a JSON document; returns the document. */
  const ok = async (...args: string[]) => {
    const run = await tevis(...args);
    expect(run.code, describeRun(run)).toBe(EXIT.ok);
    expect(run.json, describeRun(run)).toBeDefined();
    expect(run.json.error, describeRun(run)).toBeUndefined();
    return run.json;
  };

  /** Runs the command and expects it to fail with `code`, a `tevis: …` line and a JSON error. */
  const fails = async (code: number, args: string[], runEnv: NodeJS.ProcessEnv = env): Promise<CliRun> => {
    const run = await runCli(processes, [...args, '--json'], runEnv);
    expect(run.code, describeRun(run)).toBe(code);
    expect(run.stderr, describeRun(run)).toMatch(/^tevis: \S/m);
    expect(run.json?.error, describeRun(run)).toMatchObject({
      type: expect.any(String),
      detail: expect.any(String),
    });
    return run;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-cli-lifecycle-'));
    const apiPort = await freeLoopbackPort();
    const temporalPort = await freeLoopbackPort();
    temporalAddress = `127.0.0.1:${temporalPort}`;
    env = cleanEnv({
      TEVIS_HOME: join(root, 'home'),
      TEVIS_PORT: String(apiPort),
      TEVIS_TEMPORAL_PORT: String(temporalPort),
      TEVIS_TEMPORAL_UI_PORT: String(await freeLoopbackPort()),
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    });
    alphaRepo = await makeGitFixture(join(root, 'alpha'), { only: SMALL_REPOSITORY });
    betaRepo = await makeGitFixture(join(root, 'beta'), { defaultBranch: 'develop', only: SMALL_REPOSITORY });
    up = processes.spawn('tevis up', process.execPath, [TEVIS_BIN, 'up'], { env });
    await waitForHealth(`http://127.0.0.1:${apiPort}`, up);
  });

  afterAll(async () => {
    await processes.killAll();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('`tevis up` into a pipe prints Mission Control without the token; the page asks for it', async () => {
    const token = (await readFile(join(env.TEVIS_HOME!, 'api-token'), 'utf8')).trim();
    const link = await waitFor(
      'the Mission Control link',
      () => /Mission Control:\s+(http:\/\/\S+)/.exec(up.output())?.[1],
    );
    expect(link).toBe(`http://127.0.0.1:${env.TEVIS_PORT}/`);
    // A log file or supervisor capturing this output never holds the credential.
    expect(up.output()).not.toContain(token);
    expect(up.output()).not.toContain(encodeURIComponent(token));
    // The reference page takes the token from the fragment too (the API takes no ?token= any more).
    expect(up.output()).toMatch(
      /API reference:\s+http:\/\/\S+\/reference \(in a browser: add #token=<the API token>/,
    );
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Tevis Mission Control');
    // The page links sessions to the Web UI of the dev server `tevis up` started.
    const uiConfig = await fetch(`http://127.0.0.1:${env.TEVIS_PORT}/ui-config`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await uiConfig.json()).toEqual({
      temporalUi: { url: `http://127.0.0.1:${env.TEVIS_TEMPORAL_UI_PORT}`, namespace: 'default' },
    });
    // Its worker and API write their JSON log lines (runtime/logger.ts) between its own messages.
    await waitFor('the JSON line of the /ui-config request', () =>
      /^\{.*"route":"\/ui-config","status":200,.*"msg":"request"\}$/m.test(up.output()),
    );
    // The worker reports its state once it polls, which may come after the API answers.
    await waitFor('the JSON line of the worker starting', () =>
      /^\{.*"sdkComponent":"worker".*"msg":"Worker state changed"\}$/m.test(up.output()),
    );
  });

  it('`tevis up` on a terminal prints the logged-in link, the token in its fragment', async () => {
    const port = await freeLoopbackPort();
    const home = join(root, 'terminal-home');
    // Against the dev server the first `tevis up` started, on a task queue of its own so neither
    // worker takes the other's tasks; `script` gives it a pseudo-terminal as stdout.
    const termEnv = {
      ...env,
      TEVIS_HOME: home,
      TEVIS_PORT: String(port),
      TEMPORAL_ADDRESS: temporalAddress,
      TEVIS_TASK_QUEUE: 'tevis-terminal-test',
    };
    const onTerminal = processes.spawn(
      'tevis up (terminal)',
      'script',
      ['-qfec', `${process.execPath} ${TEVIS_BIN} up`, '/dev/null'],
      { env: termEnv },
    );
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, onTerminal);
      const token = (await readFile(join(home, 'api-token'), 'utf8')).trim();
      const link = await waitFor(
        'the Mission Control link',
        () => /Mission Control:\s+(http:\/\/\S+)/.exec(onTerminal.output())?.[1],
      );
      expect(link).toBe(`http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`);
    } finally {
      await onTerminal.stop('SIGTERM', 15_000);
    }
  }, 600_000);

  it('status, project create, session create, list, info, switch, end, summary', async () => {
    const status = await ok('status');
    expect(status).toMatchObject({
      ok: true,
      services: {
        api: { status: 'ok' },
        database: { status: 'ok' },
        temporal: { status: 'ok' },
        worker: { status: 'ok' },
      },
    });

    expect(
      await ok('project', 'create', 'alpha', '--repo', alphaRepo.remote, '--branch', 'main'),
    ).toMatchObject({ name: 'alpha', repository: alphaRepo.remote, defaultBranch: 'main' });
    expect(
      await ok('project', 'create', 'beta', '--repo', betaRepo.fileUrl, '--branch', 'develop'),
    ).toMatchObject({ name: 'beta', defaultBranch: 'develop' });

    // `session create` waits until the session is active and makes it the current one.
    const a = await ok('session', 'create', '--project', 'alpha');
    expect(a).toMatchObject({
      project: 'alpha',
      status: 'active',
      branch: 'main',
      startCommit: alphaRepo.head,
    });
    expect(a.id).toMatch(/^sess_[a-z0-9]{6}$/);
    ids.a = a.id;
    expect(existsSync(join(env.TEVIS_HOME!, 'session-repos', a.id, '.git'))).toBe(true);

    const listed = await ok('session', 'list');
    expect(listed.current).toBe(a.id);
    expect(listed.sessions.map((s: { id: string }) => s.id)).toEqual([a.id]);

    // `info` without an id is the current session, answered live by its workflow.
    const info = await ok('session', 'info');
    expect(info.session).toMatchObject({ id: a.id, status: 'active', project: 'alpha' });
    expect(info.state.live).toBe(true);
    expect(info.state.activeContext).toMatchObject({
      sessionId: a.id,
      repository: alphaRepo.remote,
      branch: 'main',
    });
    expect(info.state.workspace).toMatchObject({ exists: true, gitStatus: 'clean' });

    const b = await ok('session', 'create', '--project', 'beta');
    expect(b).toMatchObject({
      project: 'beta',
      status: 'active',
      branch: 'develop',
      startCommit: betaRepo.head,
    });
    ids.b = b.id;
    expect((await ok('session', 'list')).current).toBe(b.id);

    // Each project has its own active session: switching to one that is already active changes
    // nothing (and says so) but makes it the current one; beta's stays active.
    const toA = await ok('session', 'switch', a.id);
    expect(toA).toMatchObject({ session: { id: a.id, status: 'active' }, resumed: false, paused: null });
    expect(toA.message).toMatch(/already the active session/);
    expect((await ok('session', 'list')).current).toBe(a.id);
    expect((await ok('session', 'info', b.id)).session.status).toBe('active');

    // One active session per project: a second one is refused, naming the active one and every
    // way out of it.
    const second = await fails(EXIT.conflict, ['session', 'create', '--project', 'alpha']);
    expect(second.json.error.type).toBe('session-conflict');
    for (const way of [`tevis session end ${a.id}`, `tevis session pause ${a.id}`, 'tevis session switch'])
      expect(second.json.error.detail).toContain(way);
    // Paused, it waits aside and the project can start another, which becomes current.
    expect(await ok('session', 'pause')).toMatchObject({ id: a.id, status: 'paused' });
    const a2 = await ok('session', 'create', '--project', 'alpha');
    expect(a2).toMatchObject({ project: 'alpha', status: 'active' });
    ids.a2 = a2.id;
    // Resuming the paused one now is the same conflict, and leaves it paused, its workflow too.
    const resume = await fails(EXIT.conflict, ['session', 'resume', a.id]);
    expect(resume.json.error.type).toBe('session-conflict');
    expect(resume.json.error.detail).toContain(`tevis session pause ${a2.id}`);
    const stillPaused = await ok('session', 'info', a.id);
    expect(stillPaused.session.status).toBe('paused');
    // (Its workflow agrees: the switch below resumes it, which a workflow that thought itself
    // active would refuse.)
    expect(stillPaused.state.live).toBe(true);
    // `list` shows the project's paused session beside its active one and marks the current one.
    const alpha = await ok('session', 'list', '--project', 'alpha');
    expect(alpha.current).toBe(a2.id);
    expect(
      Object.fromEntries(alpha.sessions.map((s: { id: string; status: string }) => [s.id, s.status])),
    ).toEqual({ [a.id]: 'paused', [a2.id]: 'active' });
    const table = await runCli(processes, ['session', 'list', '--project', 'alpha'], env);
    expect(table.stdout).toMatch(new RegExp(`^\\* ${a2.id} .*active$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^  ${a.id} .*paused$`, 'm'));

    // `switch` does both in one step: the project's active session is paused, the chosen one
    // resumed and made current.
    const toA1 = await ok('session', 'switch', a.id);
    expect(toA1).toMatchObject({ session: { id: a.id, status: 'active' }, resumed: true, paused: a2.id });
    expect(toA1.message).toContain(`paused ${a2.id}`);
    expect((await ok('session', 'info', a2.id)).session.status).toBe('paused');
    expect((await ok('session', 'list')).current).toBe(a.id);
    expect((await ok('session', 'end', a2.id)).session).toMatchObject({ id: a2.id, status: 'ended' });

    // `resume` alone works once the project's slot is free, and makes the session current too.
    expect(await ok('session', 'pause', a.id)).toMatchObject({ id: a.id, status: 'paused' });
    await ok('session', 'switch', b.id);
    expect(await ok('session', 'resume', a.id)).toMatchObject({ id: a.id, status: 'active' });
    expect((await ok('session', 'list')).current).toBe(a.id);

    // Back to beta, with alpha's session paused for the recover test below.
    expect(await ok('session', 'pause', a.id)).toMatchObject({ id: a.id, status: 'paused' });
    expect(await ok('session', 'switch', b.id)).toMatchObject({
      session: { id: b.id, status: 'active' },
      resumed: false,
      paused: null,
    });
    const both = await ok('session', 'list');
    expect(both.current).toBe(b.id);
    expect(
      Object.fromEntries(both.sessions.map((s: { id: string; status: string }) => [s.id, s.status])),
    ).toEqual({ [a.id]: 'paused', [b.id]: 'active' });
    // `--limit` shows the newest and says there are more; a limit that is no count names the flag.
    const newest = await ok('session', 'list', '--limit', '1');
    expect(newest).toMatchObject({ sessions: [{ id: both.sessions[0].id }], more: true });
    expect(both.more).toBe(false);
    const cut = await runCli(processes, ['session', 'list', '--limit', '1'], env);
    expect(cut.stdout).toContain('more sessions than these 1');
    expect((await fails(EXIT.usage, ['session', 'list', '--limit', '0'])).stderr).toContain('--limit');

    // `end` without an id ends the current session and prints its summary.
    const ended = await ok('session', 'end');
    expect(ended.session).toMatchObject({ id: b.id, status: 'ended', endReason: 'user' });
    expect(ended.summary).toMatchObject({
      sessionId: b.id,
      project: 'beta',
      reason: 'user',
      startCommit: betaRepo.head,
    });
    const summary = await ok('session', 'summary', b.id);
    expect(summary).toMatchObject({ sessionId: b.id, reason: 'user', nanocycles: { completed: 0 } });
    expect(summary.markdown).toContain(b.id);
    // The ended session is no longer current: `info` without an id has nothing to show, while
    // `summary` without one shows the session that ended last.
    await fails(EXIT.usage, ['session', 'info']);
    expect(await ok('session', 'summary')).toMatchObject({ sessionId: b.id, reason: 'user' });
    expect((await ok('session', 'list')).sessions.map((s: { id: string }) => s.id)).toEqual([a.id]);
  }, 600_000);

  it('$TEVIS_HOME is 0700, no folder in it opens to other users, and the token is 0600', async () => {
    const home = env.TEVIS_HOME!;
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(join(home, 'api-token'))).mode & 0o777).toBe(0o600);
    // Every folder `tevis up` and its children made: PGlite, clones, context. Some files in them
    // keep modes others chose (PGlite writes 0666, a local clone hardlinks the source's 0444
    // objects); what keeps other users out is that no folder on the way lets them in.
    const open: string[] = [];
    let folders = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const path = join(dir, entry.name);
        folders += 1;
        const mode = (await lstat(path)).mode & 0o777;
        if ((mode & 0o077) !== 0) open.push(`${path} ${mode.toString(8)}`);
        await walk(path);
      }
    };
    await walk(home);
    expect(existsSync(join(home, 'session-repos', ids.a!, '.git')), 'the walk covered a workspace').toBe(
      true,
    );
    expect(folders).toBeGreaterThan(20);
    expect(open).toEqual([]);
  });

  it('recover: a running session is left alone; a terminated one comes back and ends', async () => {
    const a = ids.a;
    expect(a, 'the lifecycle test ran first').toBeDefined();

    const fine = await ok('session', 'recover', a!);
    expect(fine).toMatchObject({ recovered: false, session: { id: a, status: 'paused' } });
    expect(fine.message).toMatch(/running fine/);

    const connection = await Connection.connect({ address: temporalAddress });
    try {
      await new Client({ connection }).workflow
        .getHandle(sessionWorkflowId(a!))
        .terminate('test: terminated by hand');
    } finally {
      await connection.close();
    }
    // Whether Temporal runs it is looked up again within 2 s (api/session-facts-cache.ts).
    const orphaned = await waitFor('the terminated session to read as not live', async () => {
      const info = await ok('session', 'info', a!);
      return info.state.live ? undefined : info;
    });
    expect(orphaned.state.live).toBe(false);
    // What needs the workflow says how to get it back.
    const refused = await fails(EXIT.conflict, ['session', 'switch', a!]);
    expect(refused.json.error.detail).toMatch(/recover/);

    const back = await ok('session', 'recover', a!);
    expect(back).toMatchObject({ recovered: true, session: { id: a, status: 'paused' } });
    await waitFor(
      'the recovered session to answer live',
      async () => (await ok('session', 'info', a!)).state.live === true,
    );

    expect(await ok('session', 'switch', a!)).toMatchObject({
      session: { id: a, status: 'active' },
      resumed: true,
    });
    const ended = await ok('session', 'end', a!);
    expect(ended.session).toMatchObject({ id: a, status: 'ended' });
    expect(ended.summary).toMatchObject({ sessionId: a, reason: 'user' });

    const all = await ok('session', 'list', '--all');
    expect(
      Object.fromEntries(all.sessions.map((s: { id: string; status: string }) => [s.id, s.status])),
    ).toEqual({ [a!]: 'ended', [ids.a2!]: 'ended', [ids.b!]: 'ended' });
    expect((await ok('session', 'list')).sessions).toEqual([]);
  }, 600_000);

  it('bad input exits 2 with a message, nothing sent or changed', async () => {
    const before = await ok('project', 'list');
    const badName = await fails(EXIT.usage, ['project', 'create', 'Bad_Name', '--repo', alphaRepo.remote]);
    expect(badName.stderr).toMatch(/NAME/);
    const ext = await fails(EXIT.usage, [
      'project',
      'create',
      'evil',
      '--repo',
      'ext::sh -c touch% /tmp/pwned',
    ]);
    expect(ext.stderr).toMatch(/--repo/);
    await fails(EXIT.usage, ['project', 'create', 'evil', '--repo', alphaRepo.remote, '--branch=-x']);
    await fails(EXIT.usage, ['project', 'create', 'evil', '--repo', '--upload-pack=touch /tmp/pwned']);
    await fails(EXIT.usage, ['session', 'create']);
    await fails(EXIT.usage, ['session', 'create', '--project', 'alpha', '--type', 'coding']);
    await fails(EXIT.usage, ['session', 'info', 'not-a-session-id']);
    await fails(EXIT.usage, ['session', 'recover', '../../etc/passwd']);
    await fails(EXIT.usage, ['session', 'frobnicate']);
    expect(await ok('project', 'list')).toEqual(before);
    expect(existsSync('/tmp/pwned')).toBe(false);
  }, 600_000);

  it('a session that cannot start exits 7 and prints its failure', async () => {
    await ok('project', 'create', 'vanished', '--repo', join(root, 'no-such-repository.git'));
    const run = await fails(EXIT.sessionFailed, ['session', 'create', '--project', 'vanished']);
    expect(run.json.error.detail).toMatch(/failed to start/);
    expect(run.stderr).toMatch(/failed to start/);
  }, 600_000);

  it('unknown ids exit 3', async () => {
    const session = await fails(EXIT.notFound, ['session', 'info', 'sess_zzzzzz']);
    expect(session.json.error.type).toBe('session-not-found');
    expect(session.stderr).toMatch(/sess_zzzzzz/);
    await fails(EXIT.notFound, ['session', 'end', 'sess_zzzzzz']);
    await fails(EXIT.notFound, ['session', 'switch', 'sess_zzzzzz']);
    await fails(EXIT.notFound, ['session', 'recover', 'sess_zzzzzz']);
    await fails(EXIT.notFound, ['session', 'summary', 'sess_zzzzzz']);
    const project = await fails(EXIT.notFound, ['project', 'show', 'no-such-project']);
    expect(project.json.error.type).toBe('project-not-found');
    expect(
      (await fails(EXIT.notFound, ['session', 'create', '--project', 'no-such-project'])).json.error.type,
    ).toBe('project-not-found');
  }, 600_000);

  it('conflicts exit 4 and say what to do', async () => {
    const open = await ok('session', 'create', '--project', 'alpha');
    const second = await fails(EXIT.conflict, ['session', 'create', '--project', 'alpha']);
    expect(second.json.error.type).toBe('session-conflict');
    expect(second.json.error.detail).toContain(open.id);
    expect(second.json.error.detail).toContain(`tevis session end ${open.id}`);

    expect(
      (await fails(EXIT.conflict, ['project', 'create', 'alpha', '--repo', alphaRepo.remote])).json.error
        .type,
    ).toBe('project-exists');

    const ended = await ok('session', 'end', open.id);
    expect(ended.session.status).toBe('ended');
    expect((await fails(EXIT.conflict, ['session', 'end', open.id])).json.error.type).toBe(
      'invalid-transition',
    );
    await fails(EXIT.conflict, ['session', 'switch', open.id]);
    await fails(EXIT.conflict, ['session', 'recover', open.id]);
    // The first session of alpha ended long ago; nothing reopened it.
    expect((await ok('session', 'list')).sessions).toEqual([]);
  }, 600_000);

  it('a wrong token exits 6 and no API at the URL exits 5', async () => {
    await fails(EXIT.unauthorized, ['session', 'list'], { ...env, TEVIS_API_TOKEN: 'not-the-token' });
    const closedPort = await freeLoopbackPort();
    await fails(EXIT.unavailable, ['session', 'list'], {
      ...env,
      TEVIS_API_URL: `http://127.0.0.1:${closedPort}`,
    });
    expect(up.running).toBe(true);
  }, 600_000);
});
