import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { expectProblem } from '../support/expect-problem.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, nanocycles, sessions } from '../../db/schema.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { type GitFixture, makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Safe retries through the HTTP API on Postgres: a POST with an Idempotency-Key runs once however
 * often it is sent (after a cut connection, concurrently), the key with another request is
 * refused, and nanocycle names are unique within a session whatever the key.
 */

let h: Harness;
let fx: GitFixture;
let scratch: string;
let sessionId: string;
const processes = new ProcessSet();

/** A nanocycle that waits at its plan hold point: it runs nothing while the test looks at it. */
const waiting = (name: string) => ({ name, goal: `do ${name}`, run: ['true'], hold: { plan: true } });

async function nanocyclesNamed(name: string) {
  return h.database.db
    .select()
    .from(nanocycles)
    .where(and(eq(nanocycles.sessionId, sessionId), eq(nanocycles.name, name)));
}

/**
 * Sends the request on a raw socket and closes it as soon as the API has taken the key (its
 * row exists), before any answer is read: the client never learns what happened.
 */
async function sendAndCut(path: string, body: unknown, key: string): Promise<void> {
  const url = new URL(h.apiUrl);
  const payload = JSON.stringify(body);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      `Authorization: Bearer ${h.token}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(payload)}`,
      `Idempotency-Key: ${key}`,
      '',
      payload,
    ].join('\r\n'),
  );
  await waitFor(
    'the API to take the Idempotency-Key',
    async () =>
      (await h.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).length > 0,
  );
  socket.destroy();
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-retries-'));
  [h, fx] = await Promise.all([
    startHarness({ database: 'postgres', label: 'retries' }),
    makeGitFixture(join(scratch, 'git')),
  ]);
  await createProject(h, { name: 'retries', repository: fx.remote });
  const created = await createActiveSession(h, { project: 'retries' });
  sessionId = created.session.id;
});

afterAll(async () => {
  await processes.killAll();
  await h?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('Idempotency-Key', () => {
  it('a POST cut off after the API took it, sent again with the same key, makes one nanocycle and answers the first result', async () => {
    const key = randomUUID();
    const path = `/sessions/${sessionId}/nanocycles`;
    await sendAndCut(path, waiting('cut-off'), key);

    const again = await h.call('POST', path, waiting('cut-off'), { headers: { 'Idempotency-Key': key } });
    expect({ status: again.status, body: again.text }).toMatchObject({ status: 201 });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toMatchObject({
      id: expect.stringMatching(/^NC-\d{3}$/),
      name: 'cut-off',
      status: 'queued',
    });
    const rows = await nanocyclesNamed('cut-off');
    expect(rows.map((r) => r.id)).toEqual([again.json.id]);

    // And once more: the same stored answer, byte for byte.
    const third = await h.call('POST', path, waiting('cut-off'), { headers: { 'Idempotency-Key': key } });
    expect(third.text).toBe(again.text);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(await nanocyclesNamed('cut-off')).toHaveLength(1);
  });

  it('the same key with another body is refused with 422 and creates nothing', async () => {
    const key = randomUUID();
    const path = `/sessions/${sessionId}/nanocycles`;
    const first = await h.call('POST', path, waiting('first-body'), { headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const other = await h.call('POST', path, waiting('second-body'), { headers: { 'Idempotency-Key': key } });
    expectProblem(other, 422, 'idempotency-key-reused');
    expect(other.json.detail).toContain('use a new key');
    expect(await nanocyclesNamed('second-body')).toHaveLength(0);
  });

  it('concurrent requests with one key have one effect, and all answer it', async () => {
    const key = randomUUID();
    const path = `/sessions/${sessionId}/nanocycles`;
    const replies = await Promise.all(
      Array.from({ length: 4 }, () =>
        h.call('POST', path, waiting('concurrent'), { headers: { 'Idempotency-Key': key } }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(replies.map((r) => r.json.id)).size).toBe(1);
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(3);
    expect(await nanocyclesNamed('concurrent')).toHaveLength(1);
  });

  it('a session create sent twice with one key answers the first session, not a conflict', async () => {
    await createProject(h, { name: 'retries-create', repository: fx.remote });
    const key = randomUUID();
    const first = await h.call(
      'POST',
      '/sessions',
      { project: 'retries-create', type: 'planning' },
      { headers: { 'Idempotency-Key': key } },
    );
    expect(first.status).toBe(201);
    const again = await h.call(
      'POST',
      '/sessions',
      { project: 'retries-create', type: 'planning' },
      { headers: { 'Idempotency-Key': key } },
    );
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const rows = await h.database.db.select().from(sessions).where(eq(sessions.project, 'retries-create'));
    expect(rows.map((r) => r.id)).toEqual([first.json.id]);
    // Without the key, the same body is a new request: the one-open-session rule answers.
    expectProblem(
      await h.call('POST', '/sessions', { project: 'retries-create', type: 'planning' }),
      409,
      'session-conflict',
    );
  });

  it('a repeat while the first request still runs waits, then answers 409 idempotency-key-in-flight with Retry-After', async () => {
    // The first request's claim, as an API instance in the middle of it leaves it (scope and
    // hash as api/idempotency.ts makes them), held for longer than a repeat waits.
    const key = randomUUID();
    const path = `/sessions/${sessionId}/nanocycles`;
    const body = JSON.stringify(waiting('in-flight'));
    const who = createHash('sha256').update(`Bearer ${h.token}`).digest('hex').slice(0, 16);
    const requestHash = createHash('sha256').update('\n').update(body).digest('hex');
    await h.database.db
      .insert(idempotencyKeys)
      .values({ scope: `POST ${path} ${who}`, key, requestHash, status: 'running' });

    const reply = await h.call('POST', path, body, {
      headers: { 'Idempotency-Key': key },
      contentType: 'application/json',
    });
    expectProblem(reply, 409, 'idempotency-key-in-flight');
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await nanocyclesNamed('in-flight')).toHaveLength(0);
  });

  it('a key past its 24 hours runs the request again', async () => {
    const key = randomUUID();
    const project = { name: 'retries-expiry', repository: fx.remote };
    const first = await h.call('POST', '/projects', project, { headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(
      (await h.call('POST', '/projects', project, { headers: { 'Idempotency-Key': key } })).headers.get(
        'idempotent-replayed',
      ),
    ).toBe('true');

    await h.database.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(idempotencyKeys.key, key));
    const later = await h.call('POST', '/projects', project, { headers: { 'Idempotency-Key': key } });
    // Run again, not replayed: the project exists now, and the answer says so.
    expectProblem(later, 409, 'project-exists');
    expect(later.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a malformed key is refused with 400 before anything runs', async () => {
    const reply = await h.call('POST', `/sessions/${sessionId}/nanocycles`, waiting('bad-key'), {
      headers: { 'Idempotency-Key': 'x'.repeat(256) },
    });
    expectProblem(reply, 400, 'validation');
    expect(reply.json.detail).toContain('Idempotency-Key');
    expect(await nanocyclesNamed('bad-key')).toHaveLength(0);
  });
});

describe('nanocycle names', () => {
  it('a second nanocycle of a name the session used is refused with 409 naming the first, and nothing is created', async () => {
    const first = await h.call('POST', `/sessions/${sessionId}/nanocycles`, waiting('auth-system'));
    expect(first.status).toBe(201);
    const before = await h.database.db.select().from(nanocycles).where(eq(nanocycles.sessionId, sessionId));

    const second = await h.call('POST', `/sessions/${sessionId}/nanocycles`, {
      name: 'auth-system',
      run: ['true'],
    });
    expectProblem(second, 409, 'nanocycle-name-taken');
    expect(second.json).toMatchObject({ nanocycleId: first.json.id, nanocycleStatus: expect.any(String) });
    expect(second.json.detail).toContain(first.json.id);
    expect(second.json.detail).toContain('--name');
    const after = await h.database.db.select().from(nanocycles).where(eq(nanocycles.sessionId, sessionId));
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());

    // The CLI says it as a conflict (exit 4) with the fix.
    const cli = await runCli(
      processes,
      ['nanocycle', 'create', '--name', 'auth-system', '--run', 'true', '--session', sessionId],
      cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token }),
    );
    expect({ code: cli.code, run: describeRun(cli) }).toMatchObject({ code: 4 });
    expect(cli.stderr).toContain(first.json.id);
    expect(cli.stderr).toContain('pick another name (`--name`)');

    // Concurrent creates of one new name: exactly one wins.
    const racing = await Promise.all(
      Array.from({ length: 3 }, () => h.call('POST', `/sessions/${sessionId}/nanocycles`, waiting('racing'))),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await nanocyclesNamed('racing')).toHaveLength(1);
  });
});
