import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../contracts/responses.js';
import { ApiClient } from '../support/api-client.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { ensureBubblewrap } from '../support/bubblewrap.js';
import { runCli } from '../support/cli-run.js';
import { type GitFixture, makeGitFixture, SMALL_REPOSITORY } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, type ManagedProcess, ProcessSet } from '../support/processes.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';
import { stepLogger, waitForHealth } from '../support/stack-probes.js';

/**
 * The deployment's topology as processes: two worker hosts (`tevis worker`), each with its own
 * TEVIS_HOME, and two APIs (`tevis api`, A and B, in homes of their own), sharing only Postgres,
 * Temporal, the token and the codec key. A session's
 * workspace and everything done in it stay on the host that cloned it, and when that host is lost
 * for good (its worker killed, its home gone) the session moves to the other host, restores what
 * was pushed, says what was lost, and goes on.
 */

const LOST_AFTER_SECONDS = 5;
const LONG = 240_000;

describe('worker hosts with homes of their own', () => {
  const processes = new ProcessSet();
  let root: string;
  let repo: GitFixture;
  let stack: SplitStack | undefined;
  /** API A serves the first test, API B the second: any instance serves any session. */
  let http: ApiClient;
  let baseEnv: NodeJS.ProcessEnv;
  const workers = new Map<string, ManagedProcess>();
  const homeOf = (host: string) => join(root, `home-${host}`);
  /** Sessions started while host-a alone served: one pushes its nanocycle branches, one never. */
  let pushed: string;
  let unpushed: string;

  const startHost = async (host: string) => {
    const worker = processes.spawnTevis(host, 'worker', {
      ...stack!.workerEnv(homeOf(host), { TEVIS_WORKER_HOST: host }),
      ...baseEnv,
    });
    workers.set(host, worker);
    await waitFor(`${host} to poll`, () => worker.output().includes('worker polling task queue'), {
      alive: [worker],
      timeoutMs: LONG,
    });
  };
  const alive = () => [...workers.values(), ...apis].filter((w) => w.running);
  const apis: ManagedProcess[] = [];
  const startApi = async (name: string) => {
    const port = await freeLoopbackPort();
    const proc = processes.spawnTevis(
      name,
      'api',
      stack!.workerEnv(join(root, `home-${name}`), { TEVIS_PORT: String(port) }),
    );
    apis.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, proc);
    return new ApiClient(url, stack!.http.token);
  };
  let apiB: ApiClient;
  const mergedNanocycle = async (sessionId: string, name: string, command: string) => {
    const created = await http.ok('POST', `/sessions/${sessionId}/nanocycles`, { name, run: [command] }, 201);
    return http.waitForNanocycle(sessionId, created.id, ['merged'], { alive: alive(), timeoutMs: LONG });
  };
  const eventsOf = async (sessionId: string, type: string) =>
    (await http.events(sessionId)).filter((e) => e.type === type);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-hosts-'));
    repo = await makeGitFixture(join(root, 'repo'), { only: SMALL_REPOSITORY });
    const bwrap = await ensureBubblewrap();
    stack = await startSplitStack(root, 'hosts');
    [http, apiB] = await Promise.all([startApi('api-a'), startApi('api-b')]);
    baseEnv = {
      TEVIS_TPU_EXECUTOR: 'sandbox',
      PATH: `${dirname(bwrap)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    };
    for (const [name, push] of [
      ['hosted', 'nanocycle-branches'],
      ['unpushed', 'never'],
    ] as const)
      await http.ok(
        'POST',
        '/projects',
        {
          name,
          repository: repo.fileUrl,
          defaultBranch: 'main',
          execution: { holdMerge: false, push, hostLostSeconds: LOST_AFTER_SECONDS },
        },
        201,
      );
    await startHost('host-a');
  }, 300_000);

  afterAll(async () => {
    await processes.killAll();
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("keeps a session's workspace and its nanocycles' work on the host that cloned it", async () => {
    const step = stepLogger('worker-hosts/held');
    pushed = (await http.ok('POST', '/sessions', { project: 'hosted' }, 201)).id;
    unpushed = (await http.ok('POST', '/sessions', { project: 'unpushed' }, 201)).id;
    for (const id of [pushed, unpushed]) {
      const session = await http.waitForStatus(id, 'active', { alive: alive(), timeoutMs: LONG });
      expect(session.workspaceHost).toBe('host-a');
      expect(session.workspacePath).toBe(join(homeOf('host-a'), 'session-repos', id));
      // Each its own line: the same change made in the same second would be the same commit, which
      // a move may rightly restore from the other session's push.
      await mergedNanocycle(id, 'one', `echo ${id} > one.txt`);
      expect(await readFile(join(session.workspacePath!, 'one.txt'), 'utf8')).toBe(`${id}\n`);
    }
    step('two sessions on host-a, NC-001 merged in each');

    // NC-002 of the unpushed session waits at its merge hold point: its branch is on host-a alone.
    await http.ok(
      'POST',
      `/sessions/${unpushed}/nanocycles`,
      { name: 'held', run: ['echo held > held.txt'], hold: { merge: true } },
      201,
    );
    await http.waitForPendingHold(unpushed, 'merge', { alive: alive(), timeoutMs: LONG });

    // A second host joins: it serves the shared queue, but none of host-a's workspace steps.
    await startHost('host-b');
    await mergedNanocycle(pushed, 'two', 'echo two > two.txt');
    expect(existsSync(join(homeOf('host-a'), 'session-repos', pushed, 'two.txt'))).toBe(true);
    expect(existsSync(join(homeOf('host-b'), 'session-repos'))).toBe(false);
    expect(existsSync(join(homeOf('host-b'), 'worktrees'))).toBe(false);
    step('NC-002 merged on host-a with host-b polling too');

    const status = await http.ok<ServiceStatus>('GET', '/status');
    expect(status.hosts?.map((h) => [h.name, h.sessions])).toEqual([
      ['host-a', [pushed, unpushed]],
      ['host-b', []],
    ]);
    expect(status.hosts?.every((h) => (h.pollers ?? 0) > 0)).toBe(true);
    const cliEnv = cleanEnv({
      TEVIS_HOME: join(root, 'cli-home'),
      TEVIS_API_URL: apiB.url,
      TEVIS_API_TOKEN: apiB.token,
    });
    const cli = await runCli(processes, ['status', '--json'], cliEnv);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.json.hosts.map((h: { name: string }) => h.name)).toEqual(['host-a', 'host-b']);
    const table = await runCli(processes, ['status'], cliEnv);
    expect(table.stdout).toMatch(/HOST\s+WORKERS\s+OPEN SESSIONS/);
    expect(table.stdout).toMatch(
      new RegExp(`host-a\\s+up \\(\\d+ worker\\(s\\)\\)\\s+${pushed} ${unpushed}`),
    );
  }, 600_000);

  it('moves the sessions of a host lost for good, restoring what was pushed and naming what was not', async () => {
    const step = stepLogger('worker-hosts/lost');
    expect(pushed && unpushed).toBeTruthy();
    http = apiB;
    await workers.get('host-a')!.kill();
    await rm(homeOf('host-a'), { recursive: true, force: true });
    step('host-a killed and its home removed');

    // The next nanocycle finds its host gone: it fails saying so, and the session moves.
    const created = await http.ok(
      'POST',
      `/sessions/${pushed}/nanocycles`,
      { name: 'three', run: ['true'] },
      201,
    );
    const failed = await http.waitForNanocycle(pushed, created.id, ['failed'], {
      alive: alive(),
      timeoutMs: LONG,
    });
    expect(JSON.stringify(failed.data)).toContain('host-a took none of its work');
    const [moved] = await waitFor(
      'the pushed session to move',
      async () => {
        const found = await eventsOf(pushed, 'workspace.moved');
        return found.length ? found : undefined;
      },
      { alive: alive(), timeoutMs: LONG },
    );
    expect(moved!.data).toMatchObject({
      from: 'host-a',
      to: 'host-b',
      path: join(homeOf('host-b'), 'session-repos', pushed),
      restored: ['NC-001', 'NC-002'],
      lost: [],
    });
    const session = (await http.session(pushed)).session;
    expect([session.workspaceHost, session.workspacePath]).toEqual([
      'host-b',
      join(homeOf('host-b'), 'session-repos', pushed),
    ]);
    step('moved to host-b with NC-001 and NC-002 restored from their pushed branches');

    // The work goes on there, on top of what was restored.
    await mergedNanocycle(pushed, 'four', 'cat one.txt two.txt > four.txt');
    expect(await readFile(join(session.workspacePath!, 'four.txt'), 'utf8')).toBe(`${pushed}\ntwo\n`);
    expect((await http.ok('POST', `/sessions/${pushed}/end`)).status).toBe('ended');

    // A session whose merged work was never pushed moves when a step needs the workspace (here
    // the merge of NC-002, approved at its hold point), and says plainly what it lost: the remote's
    // feat/nc-001-one is the other project's NC-001 (both use one repository), not restored in its
    // place. NC-002's branch was on host-a alone: its merge fails at once, saying why.
    const hold = await http.waitForPendingHold(unpushed, 'merge', { alive: alive() });
    await http.ok('POST', `/sessions/${unpushed}/holds/${hold.id}/approve`, {});
    const held = await http.waitForNanocycle(unpushed, 'NC-002', ['failed'], {
      alive: alive(),
      timeoutMs: LONG,
    });
    expect(JSON.stringify(held.data)).toContain(
      'is not in the workspace, which was made again since (its worker host taken for lost',
    );
    const [unpushedMove] = await eventsOf(unpushed, 'workspace.moved');
    expect(unpushedMove?.data).toMatchObject({
      from: 'host-a',
      to: 'host-b',
      restored: [],
      lost: ['NC-001'],
    });
    expect((await http.ok('POST', `/sessions/${unpushed}/end`)).status).toBe('ended');
    expect(await eventsOf(unpushed, 'summary.generated')).toHaveLength(1);
    step('both sessions ended on host-b');

    const status = await http.ok<ServiceStatus>('GET', '/status');
    expect(status.hosts?.map((h) => [h.name, h.sessions])).toEqual([
      ['host-a', []],
      ['host-b', []],
    ]);
  }, 600_000);
});
