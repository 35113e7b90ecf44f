import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { sql as drizzleSql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../api/problem.js';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { PROBLEM_TYPE_PREFIX } from '../../contracts/problems.js';
import { createNanocycleUpdate, resolveHoldPointUpdate } from '../../workflows/nanocycle-messages.js';
import { approveReviewUpdate } from '../../workflows/review-messages.js';
import { expectProblem } from '../support/expect-problem.js';
import { type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import {
  createActiveSession,
  createProject,
  type Harness,
  recordCounts,
  startHarness,
} from '../support/tevis-harness.js';

/**
 * Bad input that only the whole stack can show, through the HTTP API on Postgres (and PGlite):
 * what a real clone brings (symlinks, a .git directory), what the database itself refuses, and
 * what reaches the session workflow. Each gets a clear 4xx problem+json and nothing changes.
 * Bad bodies, ids, URLs, branch names, paths and tokens that a route refuses before it reaches
 * Temporal are fast in-process tests in test/routes/.
 */

let h: Harness;
let fx: GitFixture;
let scratch: string;
/** A directory outside every workspace that repository symlinks point at. */
let outside: string;
const marker = `tevis-pwned-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-bad-input-'));
  outside = join(scratch, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'outside the workspace\n');
  [h, fx] = await Promise.all([
    startHarness({ database: 'postgres', label: 'bad-input' }),
    makeGitFixture(join(scratch, 'git'), {
      symlinks: {
        'links/etc': '/etc',
        'links/passwd': '/etc/passwd',
        'links/outside-dir': outside,
        'links/outside-relative': '../../../outside',
        'links/dangling': join(outside, 'created-through-dangling-link.txt'),
        'links/dangling-dir': join(scratch, 'missing-dir'),
        'links/gitdir': '../.git',
        'links/inside': '../src',
      },
    }),
  ]);
  await createProject(h, { name: 'alpha', repository: fx.remote });
});

afterAll(async () => {
  await h?.stop();
  await rm(scratch, { recursive: true, force: true });
  // Only if a test failed the way it must not: leave no marker in /etc.
  await rm(join('/etc', marker), { force: true });
});

describe('path traversal on the file routes', () => {
  let id = '';
  let workspace = '';
  let passwd = '';

  const enc = (path: string) => `/sessions/${id}/files?path=${encodeURIComponent(path)}`;

  beforeAll(async () => {
    id = (await createActiveSession(h, { project: 'alpha' })).session.id;
    workspace = join(h.home, 'session-repos', id);
    passwd = await readFile('/etc/passwd', 'utf8');
  });

  it('the fixture symlinks arrived in the workspace, and the listing shows them as symlinks', async () => {
    const reply = await h.call('GET', enc('links'));
    expect(reply.status).toBe(200);
    const types = Object.fromEntries(
      reply.json.entries.map((e: { name: string; type: string }) => [e.name, e.type]),
    );
    expect(types).toEqual({
      dangling: 'symlink',
      'dangling-dir': 'symlink',
      etc: 'symlink',
      gitdir: 'symlink',
      inside: 'symlink',
      'outside-dir': 'symlink',
      'outside-relative': 'symlink',
      passwd: 'symlink',
    });
    // A symlink that stays inside is followed.
    const inside = await h.call('GET', enc('links/inside/index.ts'));
    expect(inside.status).toBe(200);
    expect(inside.text).toBe('export const answer = 42;\n');
  });

  /**
   * The refusals themselves, path by path, are fast route tests (test/routes/files.security.test.ts,
   * on a workspace laid out by hand); here, once, through the symlinks and the .git directory a
   * real clone made: every write refused, and git sees the workspace as it was.
   */
  it("writes through the clone's symlinks and into its .git are refused; the workspace stays clean", async () => {
    const config = await readFile(join(workspace, '.git', 'config'), 'utf8');
    for (const path of [
      'links/etc/passwd',
      'links/passwd',
      `links/etc/${marker}`,
      `links/outside-dir/${marker}`,
      `links/outside-relative/${marker}`,
      `links/dangling-dir/${marker}`,
      'links/dangling',
      '.git/config',
      '.git/hooks/pre-commit',
      'links/gitdir/hooks/pre-commit',
    ]) {
      expectProblem(await h.call('PUT', enc(path), `${marker}\n`), 403, 'path-outside-workspace', path);
    }
    expect(await readFile('/etc/passwd', 'utf8')).toBe(passwd);
    expect(existsSync(join('/etc', marker))).toBe(false);
    expect(existsSync(join(outside, 'created-through-dangling-link.txt'))).toBe(false);
    expect(existsSync(join(scratch, 'missing-dir'))).toBe(false);
    expect(existsSync(join(workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(await readFile(join(workspace, '.git', 'config'), 'utf8')).toBe(config);
    const { state } = await h.api.session(id);
    expect(state.workspace).toMatchObject({ gitStatus: 'clean', modifiedFiles: [] });
    const events = await h.api.events(id);
    expect(events.filter((e) => e.type === 'file.edited')).toEqual([]);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('outside the workspace\n');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});

/**
 * What the database cannot store — a NUL (U+0000) in any text it keeps, a number beyond an int4
 * column, a name longer than the file system allows — on Postgres and on PGlite alike. Each is a
 * 400 that comes back at once (a hang would reach only the generous test timeout) and changes
 * nothing: no record, no event, no nanocycle, the session as it was.
 */
describe.each(['postgres', 'pglite'] as const)('what the database cannot store, on %s', (kind) => {
  const NUL = 'a\u0000b';
  let db: Harness;
  let dev = '';
  let planning = '';
  let review = '';
  let workspace = '';
  const project = `nul-${kind}`;

  /**
   * An Update sent straight to the workflow is refused before admission: for its payload
   * (`validation`) or, where the workflow also demands the API's stamp on every Update, for
   * lacking it (`unauthorized`) — either way before anything changes.
   */
  const expectRefusedBeforeAdmission = (failure: unknown) => {
    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    const answer = toProblem(failure);
    expect(answer.status === 400 || answer.status === 401).toBe(true);
    expect([`${PROBLEM_TYPE_PREFIX}validation`, `${PROBLEM_TYPE_PREFIX}unauthorized`]).toContain(answer.type);
  };

  /** The session's record, timeline, nanocycles, hold points and live state, and the project. */
  const sessionSnapshot = async (id: string) => {
    const [session, events, nanocycles, holds, proj] = await Promise.all([
      db.call('GET', `/sessions/${id}`),
      db.call('GET', `/sessions/${id}/events`),
      db.call('GET', `/sessions/${id}/nanocycles`),
      db.call('GET', `/sessions/${id}/holds`),
      db.call('GET', `/projects/${project}`),
    ]);
    const { lastActivityAt: _a, ...record } = session.json.session;
    return {
      record,
      live: {
        nanocycles: session.json.state.activeContext.nanocycles,
        pending: session.json.state.execution.pendingHoldPoints,
        review: session.json.state.review,
      },
      events: events.json.events.map((e: { seq: number; type: string }) => `${e.seq}:${e.type}`),
      nanocycles: nanocycles.json.nanocycles,
      holds: holds.json.holdPoints,
      project: proj.json,
      counts: await recordCounts(db),
    };
  };

  beforeAll(async () => {
    db = kind === 'postgres' ? h : await startHarness({ database: 'pglite', label: 'bad-input-pglite' });
    await createProject(db, { name: project, repository: fx.remote });
    await createProject(db, { name: `${project}-plan`, repository: fx.remote });
    const reviewed = await makeGitFixture(join(scratch, `review-${kind}`), {
      branches: ['feature/review-me'],
    });
    await createProject(db, { name: `${project}-review`, repository: reviewed.remote });
    [dev, planning, review] = await Promise.all([
      createActiveSession(db, { project }).then((s) => s.session.id as string),
      createActiveSession(db, { project: `${project}-plan`, type: 'planning' }).then(
        (s) => s.session.id as string,
      ),
      createActiveSession(db, {
        project: `${project}-review`,
        type: 'review',
        branch: 'feature/review-me',
      }).then((s) => s.session.id as string),
    ]);
    workspace = join(db.home, 'session-repos', dev);
  });

  afterAll(async () => {
    if (kind === 'pglite') await db?.stop();
  });

  // Called when the tests are listed (labels only) and again when each runs (the ids exist by then).
  const nulBodies = (): Array<[string, string, string, unknown]> => [
    ['a goal', 'POST', `/sessions/${dev}/nanocycles`, { name: 'nul-goal', goal: NUL }],
    [
      'a run step',
      'POST',
      `/sessions/${dev}/nanocycles`,
      { name: 'nul-run', run: ['echo ok', `echo ${NUL}`] },
    ],
    ['a hold point comment', 'POST', `/sessions/${dev}/holds/HP-001-merge/approve`, { comment: NUL }],
    ['an edited goal', 'POST', `/sessions/${dev}/holds/HP-001-plan/approve`, { goal: NUL }],
    ['who rejects', 'POST', `/sessions/${dev}/holds/HP-001-merge/reject`, { by: NUL }],
    ['a merge comment', 'POST', `/sessions/${dev}/nanocycles/NC-001/merge`, { comment: NUL }],
    ['a review comment', 'POST', `/sessions/${dev}/review/approve`, { comment: NUL }],
    ['a review rejecter', 'POST', `/sessions/${dev}/review/reject`, { by: NUL }],
    ['the previous session', 'POST', `/sessions/${dev}/switch`, { previous: `sess_${NUL}` }],
    ['a preference value', 'PATCH', `/projects/${project}`, { preferences: { editor: NUL } }],
    ['a preference key', 'PATCH', `/projects/${project}`, { preferences: { [NUL]: 'x' } }],
    ['the agent command', 'PATCH', `/projects/${project}`, { execution: { agent: `run-agent ${NUL}` } }],
    [
      'a webhook URL',
      'PATCH',
      `/projects/${project}`,
      { execution: { webhookUrl: `http://127.0.0.1/${NUL}` } },
    ],
    [
      'a new project preference',
      'POST',
      '/projects',
      { name: `${project}-new`, repository: fx?.remote, preferences: { k: NUL } },
    ],
  ];

  it.each(nulBodies().map(([what, method, path]) => [what, method, path]))(
    'a NUL in %s (%s %s) → 400 at once, nothing changed',
    async (what) => {
      const [, method, path, body] = nulBodies().find(([w]) => w === what)!;
      const before = await sessionSnapshot(dev);
      const reply = await db.call(method, path, body);
      expectProblem(reply, 400, 'validation', what);
      // Ids and keys are refused by their own patterns; free text by the NUL rule, which says so.
      if (!['the previous session', 'a preference key'].includes(what)) expect(reply.text).toMatch(/NUL/);
      expect(await sessionSnapshot(dev)).toEqual(before);
    },
  );

  it('a NUL in a plan → 400, no plan drafted', async () => {
    const before = await sessionSnapshot(planning);
    expectProblem(
      await db.call('PUT', `/sessions/${planning}/plan`, { plan: `# Plan${NUL}` }),
      400,
      'validation',
    );
    expect(await sessionSnapshot(planning)).toEqual(before);
  });

  it.each([
    ['a file path', (id: string) => `/sessions/${id}/files?path=${encodeURIComponent(`src/${NUL}.ts`)}`],
    ['a project name', () => `/projects/${encodeURIComponent(NUL)}`],
    ['a session filter', () => `/sessions?project=${encodeURIComponent(NUL)}`],
  ])('a NUL in %s (path or query) → 400, nothing written', async (_what, path) => {
    const before = await sessionSnapshot(dev);
    expectProblem(await db.call('GET', path(dev)), 400, 'validation');
    if (path(dev).includes('/files'))
      expectProblem(await db.call('PUT', path(dev), 'content'), 400, 'validation');
    expect(await sessionSnapshot(dev)).toEqual(before);
    expect(existsSync(join(workspace, 'src', '\u0000.ts'))).toBe(false);
  });

  it('a plan whose timeline event the database refuses is not kept either: 400 unrecordable, nothing changed', async () => {
    const sql = (text: string) => db.database.db.execute(drizzleSql.raw(text));
    // Both drivers answer with `rows`.
    const storedPlan = async () =>
      (
        (await sql(`select plan from sessions where id = '${planning}'`)) as unknown as {
          rows: Array<{ plan: string | null }>;
        }
      ).rows[0]!.plan;
    const before = { snapshot: await sessionSnapshot(planning), plan: await storedPlan() };
    await sql(`alter table events add constraint refuse_for_test check (type <> 'plan.drafted')`);
    try {
      expectProblem(
        await db.call('PUT', `/sessions/${planning}/plan`, { plan: '# A plan the timeline cannot mention' }),
        400,
        'unrecordable',
      );
    } finally {
      await sql('alter table events drop constraint refuse_for_test');
    }
    expect({ snapshot: await sessionSnapshot(planning), plan: await storedPlan() }).toEqual(before);
  });

  it('a review decision the database refuses, or one with a NUL sent past the API, leaves the review pending', async () => {
    const before = await sessionSnapshot(review);
    expect(before.live.review).toMatchObject({ status: 'pending', decidedBy: null });
    const handle = db.temporalClient.workflow.getHandle(sessionWorkflowId(review));
    for (const decision of [{ comment: NUL }, { by: NUL }]) {
      const failure = await handle.executeUpdate(approveReviewUpdate, { args: [decision] }).then(
        () => null,
        (error: unknown) => error,
      );
      expectRefusedBeforeAdmission(failure);
    }
    const sql = (text: string) => db.database.db.execute(drizzleSql.raw(text));
    await sql(
      `alter table events add constraint refuse_for_test check (type not in ('review.approved', 'review.rejected'))`,
    );
    try {
      expectProblem(
        await db.call('POST', `/sessions/${review}/review/approve`, { comment: 'ship it' }),
        400,
        'unrecordable',
      );
      expectProblem(
        await db.call('POST', `/sessions/${review}/review/reject`, { comment: 'not yet' }),
        400,
        'unrecordable',
      );
    } finally {
      await sql('alter table events drop constraint refuse_for_test');
    }
    expect(await sessionSnapshot(review)).toEqual(before);
    // Still undecided, so it can be decided now.
    const rejected = await db.call('POST', `/sessions/${review}/review/reject`, { comment: 'not yet' });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', comment: 'not yet' });
  });

  // Cursors and bounds beyond an int4 (`after`, `Last-Event-ID`, output cursors, `limit`) are
  // refused before any query: fast route tests (test/routes/timeline.error.test.ts,
  // test/routes/nanocycles.error.test.ts).

  it('a file name longer than 255 bytes, a file used as a directory, a link loop → 4xx problems, never 500, nothing written', async () => {
    await symlink('loop', join(workspace, 'loop')).catch(() => undefined);
    const before = await sessionSnapshot(dev);
    const long = `${'n'.repeat(256)}.txt`;
    const utf8Long = 'é'.repeat(128); // 256 bytes in 128 characters
    for (const path of [long, `src/${long}`, utf8Long]) {
      expectProblem(
        await db.call('GET', `/sessions/${dev}/files?path=${encodeURIComponent(path)}`),
        400,
        'validation',
        `GET ${path.slice(0, 20)}`,
      );
      expectProblem(
        await db.call('PUT', `/sessions/${dev}/files?path=${encodeURIComponent(path)}`, 'x'),
        400,
        'validation',
        `PUT ${path.slice(0, 20)}`,
      );
    }
    const throughFile = await db.call(
      'PUT',
      `/sessions/${dev}/files?path=${encodeURIComponent('README.md/inside.txt')}`,
      'x',
    );
    expect(throughFile.status).toBeGreaterThanOrEqual(400);
    expect(throughFile.status).toBeLessThan(500);
    expect(throughFile.contentType).toContain('application/problem+json');
    for (const method of ['GET', 'PUT']) {
      const loop = await db.call(
        method,
        `/sessions/${dev}/files?path=${encodeURIComponent('loop/x')}`,
        method === 'PUT' ? 'x' : undefined,
      );
      expect({ method, status: loop.status >= 400 && loop.status < 500, type: loop.contentType }).toEqual({
        method,
        status: true,
        type: 'application/problem+json',
      });
    }
    expect(await sessionSnapshot(dev)).toEqual(before);
    await rm(join(workspace, 'loop'));
  });

  /**
   * Past the API, straight to the session workflow (as any client of the Temporal frontend could):
   * its Updates check the payload with the same schemas as the API, so the NUL is refused before
   * the Update is admitted — nothing queued, nothing recorded.
   */
  it('a NUL sent straight to the session workflow is refused at once, nothing changed', async () => {
    const before = await sessionSnapshot(dev);
    const handle = db.temporalClient.workflow.getHandle(sessionWorkflowId(dev));
    const refusal = (update: Promise<unknown>) =>
      update.then(
        () => null,
        (error: unknown) => error,
      );
    for (const failure of [
      await refusal(
        handle.executeUpdate(createNanocycleUpdate, { args: [{ name: 'ghost', goal: `do ${NUL}` }] }),
      ),
      await refusal(
        handle.executeUpdate(createNanocycleUpdate, { args: [{ name: 'ghost', run: [`echo ${NUL}`] }] }),
      ),
    ]) {
      expectRefusedBeforeAdmission(failure);
    }
    expect(await sessionSnapshot(dev)).toEqual(before);
  });

  /**
   * A write the database refuses although it passed every check — made real here with a CHECK
   * constraint added for the test — answers 400 `unrecordable` at once instead of being retried
   * for minutes, and the workflow puts its state back: no `queued` nanocycle left behind, and
   * the next nanocycle gets the id this one would have had.
   */
  it('a nanocycle the database refuses fails fast, leaves no ghost, and frees its id', async () => {
    const sql = (text: string) => db.database.db.execute(drizzleSql.raw(text));
    await sql(`alter table nanocycles add constraint refuse_for_test check (name <> 'refused-by-db')`);
    try {
      const before = await sessionSnapshot(dev);
      const reply = await db.call('POST', `/sessions/${dev}/nanocycles`, {
        name: 'refused-by-db',
        run: ['true'],
      });
      expectProblem(reply, 400, 'unrecordable');
      expect(reply.json.detail).toContain('SQLSTATE 23514');
      expect(await sessionSnapshot(dev)).toEqual(before);
    } finally {
      await sql('alter table nanocycles drop constraint refuse_for_test');
    }
    const real = await db.call('POST', `/sessions/${dev}/nanocycles`, {
      name: 'real',
      run: ['true'],
      hold: { plan: true },
    });
    expect(real.status).toBe(201);
    expect(real.json.id).toBe('NC-001');
  });

  it('a hold point answer the database refuses, or one with a NUL sent past the API, changes nothing; the hold point can still be answered', async () => {
    await waitFor('the plan hold point', async () =>
      (
        (await db.call('GET', `/sessions/${dev}/holds`)).json.holdPoints as Array<{
          id: string;
          status: string;
        }>
      ).some((p) => p.id === 'HP-001-plan' && p.status === 'pending'),
    );
    await waitFor(
      'the plan hold point in the live state',
      async () =>
        (await db.call('GET', `/sessions/${dev}`)).json.state.execution.pendingHoldPoints.length === 1,
    );
    // The nanocycle's record and its events reach the hold point just after the hold point
    // itself: take the snapshot once two in a row agree, or the refusals below would seem to change it.
    await waitFor(
      'NC-001 awaiting approval',
      async () =>
        (await db.call('GET', `/sessions/${dev}/nanocycles`)).json.nanocycles[0]?.status ===
        'awaiting_approval',
    );
    // The session workflow hears of it from its child a moment later: its live state too.
    await waitFor(
      'NC-001 awaiting approval in the live state',
      async () =>
        (await db.call('GET', `/sessions/${dev}`)).json.state.activeContext.nanocycles[0]?.status ===
        'awaiting_approval',
    );
    let before = await sessionSnapshot(dev);
    await waitFor('the record to settle at the hold point', async () => {
      const again = await sessionSnapshot(dev);
      const settled = JSON.stringify(again) === JSON.stringify(before);
      before = again;
      return settled;
    });
    const handle = db.temporalClient.workflow.getHandle(sessionWorkflowId(dev));
    for (const resolution of [{ comment: NUL }, { by: NUL }, { goal: `new ${NUL}` }]) {
      const failure = await handle
        .executeUpdate(resolveHoldPointUpdate, {
          args: [{ holdPointId: 'HP-001-plan', decision: 'approve', ...resolution }],
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expectRefusedBeforeAdmission(failure);
      expect(await sessionSnapshot(dev)).toEqual(before);
    }
    const sql = (text: string) => db.database.db.execute(drizzleSql.raw(text));
    await sql(
      `alter table hold_points add constraint refuse_for_test check (comment is distinct from 'refused-by-db')`,
    );
    try {
      expectProblem(
        await db.call('POST', `/sessions/${dev}/holds/HP-001-plan/approve`, { comment: 'refused-by-db' }),
        400,
        'unrecordable',
      );
      expect(await sessionSnapshot(dev)).toEqual(before);
    } finally {
      await sql('alter table hold_points drop constraint refuse_for_test');
    }
    const rejected = await db.call('POST', `/sessions/${dev}/holds/HP-001-plan/reject`, {
      comment: 'not now',
    });
    expect(rejected.status).toBe(200);
    await waitFor(
      'NC-001 rejected',
      async () =>
        (await db.call('GET', `/sessions/${dev}/nanocycles`)).json.nanocycles[0]?.status === 'rejected',
    );
  });
});
