import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import protos from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sessionWorkflowId } from '../../contracts/ids.js';
import { idempotencyKeys } from '../../db/schema.js';
import { startTemporalDevServer } from '../../runtime/temporal-dev-server.js';
import { loadTemporalSecurity } from '../../runtime/temporal-security.js';
import type { ApiReply } from '../support/api-reply.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { makeGitFixture, type GitFixture } from '../support/git-fixtures.js';
import { createActiveSession, createProject, startHarness, type Harness } from '../support/tevis-harness.js';

/**
 * The Temporal frontend is no side door (issue 9, part 3). A process that reaches the same dev
 * server without Tevis's codec key — a plain @temporalio/client — reads a live session and
 * sends it everything the API sends. It must learn nothing (repository, branch, goal and
 * nanocycle name appear in none of the bytes it gets back; no payload it sees is readable) and
 * change nothing: the record, the timeline and the workflow's state are as they were, no
 * nanocycle appears, and the session still obeys the API afterwards (it is not wedged).
 */

const pb = protos.temporal.api;
const UI_ORIGIN = 'http://127.0.0.1:18233';
const SECRET_BRANCH = 'sidedoor-branch-q7x';
const SECRET_GOAL = 'goal-text-zq9-only-tevis-may-read';
const SECRET_NC_NAME = 'hidden-nc-w4k';

let h: Harness;
let fx: GitFixture;
let scratch: string;
let attacker: Client;
let sessionId = '';
let workflowId = '';
/** The session's own run (later tests start others under its id). */
let sessionRunId = '';

const namespace = () => h.config.temporalNamespace;

/** Everything the frontend answers about the session and its nanocycle, as the bytes on the wire. */
async function everythingReadable(): Promise<{
  bytes: Buffer;
  payloads: protos.temporal.api.common.v1.IPayload[];
}> {
  const service = attacker.workflowService;
  const chunks: Uint8Array[] = [];
  const payloads: protos.temporal.api.common.v1.IPayload[] = [];
  const collect = (message: unknown) => {
    const walk = (node: unknown) => {
      if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
      if ('data' in node && 'metadata' in node) payloads.push(node as protos.temporal.api.common.v1.IPayload);
      for (const [key, value] of Object.entries(node)) {
        // Readable by design: search attributes (project, type, status: the UI filters on them)
        // and the SDK's own patch markers (a change id); the byte search covers them too.
        if (key === 'searchAttributes' || key === 'markerRecordedEventAttributes') continue;
        walk(value);
      }
    };
    walk(message);
  };
  for (const id of [workflowId, `${workflowId}-NC-001`]) {
    const described = await service.describeWorkflowExecution({
      namespace: namespace(),
      execution: { workflowId: id },
    });
    chunks.push(pb.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described).finish());
    collect(described.workflowExecutionInfo?.memo);
    const history = await service.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId: id },
      maximumPageSize: 1000,
    });
    chunks.push(pb.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(history).finish());
    collect(history.history);
  }
  const query = await service.queryWorkflow({
    namespace: namespace(),
    execution: { workflowId },
    query: { queryType: 'sessionState' },
  });
  chunks.push(pb.workflowservice.v1.QueryWorkflowResponse.encode(query).finish());
  collect(query.queryResult);
  return { bytes: Buffer.concat(chunks), payloads };
}

/** What the API shows of the session: record, timeline, nanocycles, hold points and the workflow's own state. */
async function sessionAsTheApiSeesIt() {
  const [session, events, nanocycles, holds] = await Promise.all([
    h.call('GET', `/sessions/${sessionId}`),
    h.call('GET', `/sessions/${sessionId}/events`),
    h.call('GET', `/sessions/${sessionId}/nanocycles`),
    h.call('GET', `/sessions/${sessionId}/holds`),
  ]);
  for (const reply of [session, events, nanocycles, holds]) expect(reply.status, reply.text).toBe(200);
  return { session: session.json, events: events.json, nanocycles: nanocycles.json, holds: holds.json };
}

/** The session workflow's own state, asked by Tevis's client (an API read would count as activity). */
const workflowState = () =>
  h.temporalClient.workflow.getHandle(workflowId).query<{ lastActivityAt: string }>('sessionState');

/** Waits until the worker has completed a workflow task after the last signal in `id`'s history. */
async function signalsProcessed(id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const events = (await h.temporalClient.workflow.getHandle(id).fetchHistory()).events ?? [];
    const lastSignal = events
      .map((e) => Boolean(e.workflowExecutionSignaledEventAttributes))
      .lastIndexOf(true);
    if (lastSignal >= 0 && events.slice(lastSignal).some((e) => e.workflowTaskCompletedEventAttributes))
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no workflow task completed after the signals to ${id}`);
}

/** A stamp as the API makes it, but in plaintext: what an attacker without the key can send. */
const forgedStamp = () => ({ sessionId, updateId: randomUUID(), issuedAt: new Date().toISOString() });

type Failure = protos.temporal.api.failure.v1.IFailure;

/**
 * Why something failed, read with Tevis's key: failure messages are sealed too
 * (runtime/failure-converter.cjs), so the attacker itself only ever sees "Encoded failure".
 */
async function reasonOf(failure: Failure | null | undefined): Promise<string> {
  expect(failure, 'a failure').toBeTruthy();
  expect(failure!.message).toBe('Encoded failure');
  const codec = (await loadTemporalSecurity(h.config)).codec;
  const [opened] = await codec.decode([failure!.encodedAttributes!]);
  return (defaultPayloadConverter.fromPayload(opened!) as { message: string }).message;
}

/** An Update as a plain client sends it (arguments in plaintext); the failure it gets back, if any. */
async function attackerUpdate(name: string, args: unknown[]): Promise<Failure | null> {
  const reply = await attacker.workflowService.updateWorkflowExecution({
    namespace: namespace(),
    workflowExecution: { workflowId },
    request: {
      meta: { updateId: randomUUID(), identity: 'intruder' },
      input: { name, args: { payloads: args.map((a) => defaultPayloadConverter.toPayload(a)) } },
    },
    waitPolicy: {
      lifecycleStage:
        pb.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
    },
  });
  return reply.outcome?.failure ?? null;
}

/** Waits for an attacker-started workflow to close; its failure, as the history has it. */
async function closingFailure(id: string): Promise<Failure | null | undefined> {
  await attacker.workflow
    .getHandle(id)
    .result()
    .catch(() => undefined);
  const history = await attacker.workflowService.getWorkflowExecutionHistory({
    namespace: namespace(),
    execution: { workflowId: id },
  });
  return history.history!.events!.at(-1)!.workflowExecutionFailedEventAttributes?.failure;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tevis-side-door-'));
  [h, fx] = await Promise.all([
    startHarness({ database: 'postgres', label: 'side-door', env: { TEVIS_TEMPORAL_UI_URL: UI_ORIGIN } }),
    makeGitFixture(join(scratch, 'git'), { branches: [SECRET_BRANCH] }),
  ]);
  attacker = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    namespace: h.config.temporalNamespace,
  });

  await createProject(h, { name: 'side-door', repository: fx.remote });
  const { session } = await createActiveSession(h, { project: 'side-door', branch: SECRET_BRANCH });
  sessionId = session.id;
  workflowId = sessionWorkflowId(sessionId);
  sessionRunId = (await h.temporalClient.workflow.getHandle(workflowId).describe()).runId;
  // A nanocycle waiting at its plan hold point: something to approve, merge or cancel.
  const nc = await h.call('POST', `/sessions/${sessionId}/nanocycles`, {
    name: SECRET_NC_NAME,
    goal: SECRET_GOAL,
    run: ['true'],
    hold: { plan: true },
  });
  expect(nc.status, nc.text).toBe(201);
  // Settled: the hold point known to the session and the nanocycle says it waits (its last signal).
  await h.waitForSession(
    sessionId,
    (s) =>
      s.state?.execution?.pendingHoldPoints?.some((hp: { id: string }) => hp.id === 'HP-001-plan') &&
      s.state?.activeContext?.nanocycles?.[0]?.status === 'awaiting_approval',
    'the plan hold point',
  );
}, 180_000);

afterAll(async () => {
  await attacker?.connection.close();
  await h?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a Temporal client without the codec key', () => {
  it('reads nothing of the session: no repository, branch, goal or name in any byte, every payload sealed', async () => {
    const { bytes, payloads } = await everythingReadable();
    expect(bytes.length).toBeGreaterThan(1000);
    const text = bytes.toString('latin1');
    for (const secret of [fx.remote, SECRET_BRANCH, SECRET_GOAL, SECRET_NC_NAME])
      expect(text, secret).not.toContain(secret);
    expect(payloads.length).toBeGreaterThan(10);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
      expect(Buffer.from(payload.data ?? []).toString('latin1')).not.toContain(sessionId);
    }
  });

  it('sends every Update the API sends, with no argument, forged plaintext ones, or sealed ones copied from the history: each refused, nothing changes', async () => {
    const before = await sessionAsTheApiSeesIt();
    const stateBefore = await workflowState();
    const attempts: Array<[string, unknown[]]> = [
      ['pause', []],
      ['pause', [forgedStamp()]],
      ['resume', [forgedStamp()]],
      ['end', []],
      ['end', [forgedStamp()]],
      ['restoreWorkspace', [forgedStamp()]],
      ['createNanocycle', [{ name: 'intruder', run: ['touch /tmp/pwned'] }]],
      ['createNanocycle', [{ name: 'intruder', run: ['touch /tmp/pwned'] }, forgedStamp()]],
      ['cancelNanocycle', ['NC-001', forgedStamp()]],
      ['mergeNanocycle', ['NC-001', { by: 'intruder' }, forgedStamp()]],
      ['resolveHoldPoint', [{ holdPointId: 'HP-001-plan', decision: 'approve', by: 'intruder' }]],
      [
        'resolveHoldPoint',
        [{ holdPointId: 'HP-001-plan', decision: 'approve', by: 'intruder' }, forgedStamp()],
      ],
      [
        'resolveHoldPoint',
        [{ holdPointId: 'HP-001-plan', decision: 'reject', by: 'intruder' }, forgedStamp()],
      ],
      ['approveReview', [{ by: 'intruder' }, forgedStamp()]],
      ['rejectReview', [{ by: 'intruder' }, forgedStamp()]],
    ];
    for (const [name, args] of attempts) {
      expect(await reasonOf(await attackerUpdate(name, args)), `${name}(${args.length} args)`).toMatch(
        /refused: only Tevis/,
      );
    }

    // The API's own createNanocycle Update, sealed, replayed byte for byte under a new Update id.
    const history = await attacker.workflowService.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId },
      maximumPageSize: 1000,
    });
    const accepted = history
      .history!.events!.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
      .find((a) => a?.acceptedRequest?.input?.name === 'createNanocycle');
    expect(accepted?.acceptedRequest?.input?.args?.payloads?.length).toBe(2);
    const replayed = await attacker.workflowService.updateWorkflowExecution({
      namespace: namespace(),
      workflowExecution: { workflowId },
      request: {
        meta: { updateId: randomUUID(), identity: 'intruder' },
        input: { name: 'createNanocycle', args: accepted!.acceptedRequest!.input!.args },
      },
      waitPolicy: {
        lifecycleStage:
          pb.enums.v1.UpdateWorkflowExecutionLifecycleStage
            .UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
      },
    });
    expect(await reasonOf(replayed.outcome?.failure)).toMatch(
      /refused: only Tevis.*stamped for another command/,
    );
    expect(await workflowState()).toEqual(stateBefore);

    const after = await sessionAsTheApiSeesIt();
    expect(after.nanocycles).toEqual(before.nanocycles);
    expect(after.holds).toEqual(before.holds);
    expect(after.events).toEqual(before.events);
    expect(after.session.session.status).toBe('active');
    expect(after.session.state).toEqual(before.session.state);
  });

  it('sends every signal (touch, hold opened, progress, a hold answer to the nanocycle): each ignored, nothing changes', async () => {
    const before = await sessionAsTheApiSeesIt();
    const stateBefore = await workflowState();
    const session = attacker.workflow.getHandle(workflowId);
    await session.signal('touch');
    await session.signal('touch', forgedStamp());
    await session.signal('holdOpened', {
      id: 'HP-001-merge',
      nanocycleId: 'NC-001',
      kind: 'merge',
      reason: 'intruder',
      openedAt: new Date().toISOString(),
    });
    await session.signal('nanocycleProgress', { id: 'NC-001', status: 'completed', commit: 'f'.repeat(40) });
    await attacker.workflow.getHandle(`${workflowId}-NC-001`).signal('holdAnswered', {
      holdPointId: 'HP-001-plan',
      decision: 'approve',
      comment: null,
      goal: 'rm -rf /',
      by: 'intruder',
    });
    // The child's own sealed signals, copied out of the session's history and sent again.
    const history = await attacker.workflowService.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId },
      maximumPageSize: 1000,
    });
    const sealedSignals = history
      .history!.events!.map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'holdOpened' || a?.signalName === 'nanocycleProgress');
    expect(sealedSignals.length).toBeGreaterThanOrEqual(2);
    for (const signal of sealedSignals) {
      await attacker.workflowService.signalWorkflowExecution({
        namespace: namespace(),
        workflowExecution: { workflowId },
        signalName: signal!.signalName!,
        input: signal!.input!,
        identity: 'intruder',
        requestId: randomUUID(),
      });
    }
    await signalsProcessed(workflowId);
    await signalsProcessed(`${workflowId}-NC-001`);
    // An ignored touch leaves the inactivity clock where it was; nothing else moved either.
    expect(await workflowState()).toEqual(stateBefore);

    const after = await sessionAsTheApiSeesIt();
    expect(after.session.state).toEqual(before.session.state);
    expect(after.nanocycles).toEqual(before.nanocycles);
    expect(after.holds).toEqual(before.holds);
    expect(after.events).toEqual(before.events);
  });

  it('starts session workflows: a made-up one, and a copy of the real start under another id; both fail having done nothing', async () => {
    const countsBefore = (await h.call('GET', '/sessions?all=true')).json.sessions.length;
    const eventsBefore = (await h.call('GET', `/sessions/${sessionId}/events`)).json;
    const fakeId = 'sess_zz9fak';
    const fake = await attacker.workflow.start('sessionWorkflow', {
      taskQueue: h.config.taskQueue,
      workflowId: sessionWorkflowId(fakeId),
      args: [
        {
          phase: 'start',
          state: {
            sessionId: fakeId,
            project: 'side-door',
            repository: fx.remote,
            branch: 'main',
            status: 'starting',
            type: 'development',
          },
          stamp: { sessionId: fakeId, issuedAt: new Date().toISOString() },
        },
      ],
    });
    // Its plaintext input reached the workflow as the unsealed marker.
    expect(await reasonOf(await closingFailure(fake.workflowId))).toMatch(
      /refused: only Tevis.*not a session started by Tevis/,
    );

    // The real session's sealed start input, started again under another session's id.
    const history = await attacker.workflowService.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId },
      maximumPageSize: 10,
    });
    const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!;
    const copyId = sessionWorkflowId('sess_zz9cpy');
    await attacker.workflowService.startWorkflowExecution({
      namespace: namespace(),
      workflowId: copyId,
      workflowType: { name: 'sessionWorkflow' },
      taskQueue: { name: h.config.taskQueue },
      input,
      requestId: randomUUID(),
      identity: 'intruder',
    });
    expect(await reasonOf(await closingFailure(copyId))).toMatch(/refused: only Tevis.*own workflow id/);

    // The nanocycle workflow, started without its session as parent.
    const child = await attacker.workflow.start('nanocycleWorkflow', {
      taskQueue: h.config.taskQueue,
      workflowId: `${workflowId}-NC-777`,
      args: [
        {
          sessionId,
          sessionWorkflowId: workflowId,
          nanocycleId: 'NC-777',
          name: 'intruder',
          goal: null,
          run: ['true'],
        },
      ],
    });
    expect(await reasonOf(await closingFailure(child.workflowId))).toMatch(
      /refused: only Tevis.*not a nanocycle started by Tevis/,
    );

    expect((await h.call('GET', `/sessions/${fakeId}`)).status).toBe(404);
    expect((await h.call('GET', '/sessions?all=true')).json.sessions.length).toBe(countsBefore);
    expect((await h.call('GET', `/sessions/${sessionId}/events`)).json).toEqual(eventsBefore);
    expect(
      (await h.call('GET', `/sessions/${sessionId}/nanocycles`)).json.nanocycles.map(
        (n: { id: string }) => n.id,
      ),
    ).toEqual(['NC-001']);
  });

  it('left the session unwedged: no failed workflow task, and the API still pauses, resumes and ends it', async () => {
    const history = await h.temporalClient.workflow.getHandle(workflowId).fetchHistory();
    const failedTasks = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    expect(failedTasks).toEqual([]);
    expect((await h.call('POST', `/sessions/${sessionId}/pause`)).json.status).toBe('paused');
    expect((await h.call('POST', `/sessions/${sessionId}/resume`)).json.status).toBe('active');
    // The person approves the plan (its sealed answer, in the nanocycle's history, is used below).
    const approved = await h.call('POST', `/sessions/${sessionId}/holds/HP-001-plan/approve`, {
      comment: 'go',
    });
    expect(approved.status, approved.text).toBe(200);
    const events = async () =>
      (await h.call('GET', `/sessions/${sessionId}/events`)).json.events.map((e: { type: string }) => e.type);
    for (let i = 0; i < 200 && !(await events()).includes('nanocycle.started'); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const ended = await h.call('POST', `/sessions/${sessionId}/end`);
    expect(ended.status, ended.text).toBe(200);
    expect(ended.json.status).toBe('ended');
    const holds = (await h.call('GET', `/sessions/${sessionId}/holds`)).json;
    expect(JSON.stringify(holds)).not.toContain('intruder');
  });
});

describe('an ended session', () => {
  it('cannot be started again from its own sealed start input: the run fails before it writes anything', async () => {
    const before = await sessionAsTheApiSeesIt();
    expect(before.session.session.status).toBe('ended');
    const history = await attacker.workflowService.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId },
      maximumPageSize: 10,
    });
    const started = history.history!.events![0]!.workflowExecutionStartedEventAttributes!;
    const again = await attacker.workflowService.startWorkflowExecution({
      namespace: namespace(),
      workflowId,
      workflowType: { name: 'sessionWorkflow' },
      taskQueue: { name: h.config.taskQueue },
      input: started.input,
      requestId: randomUUID(),
      identity: 'intruder',
    });
    const failure = await (async () => {
      await attacker.workflow
        .getHandle(workflowId, again.runId!)
        .result()
        .catch(() => undefined);
      const events = (
        await attacker.workflowService.getWorkflowExecutionHistory({
          namespace: namespace(),
          execution: { workflowId, runId: again.runId! },
        })
      ).history!.events!;
      return events.at(-1)!.workflowExecutionFailedEventAttributes?.failure;
    })();
    expect(await reasonOf(failure)).toMatch(
      /refused: only Tevis.*the record does not expect session .* to start \(it is ended\)/,
    );
    const after = await sessionAsTheApiSeesIt();
    expect(after.session.session).toEqual(before.session.session);
    expect(after.events).toEqual(before.events);
    expect(after.nanocycles).toEqual(before.nanocycles);
  });
});

describe('the Web UI codec endpoint', () => {
  let sealedMemo: { metadata: Record<string, string>; data: string };
  let cookie = '';

  beforeAll(async () => {
    const described = await attacker.workflowService.describeWorkflowExecution({
      namespace: namespace(),
      execution: { workflowId, runId: sessionRunId },
    });
    const repository = described.workflowExecutionInfo!.memo!.fields!.repository!;
    sealedMemo = {
      metadata: Object.fromEntries(
        Object.entries(repository.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(repository.data!).toString('base64'),
    };
    const session = await h.call('POST', '/codec/session');
    expect(session.status).toBe(204);
    const setCookie = session.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^tevis_codec=[^;]+/);
    expect(setCookie).toMatch(/Path=\/codec/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0]!;
    // The cookie is not the token: it opens the codec endpoint and nothing else.
    expect(cookie).not.toContain(h.token);
    expect((await h.call('GET', '/projects', undefined, { token: null, headers: { cookie } })).status).toBe(
      401,
    );
  });

  const decodeWith = (options: { token?: string | null; headers?: Record<string, string> }) =>
    h.call(
      'POST',
      '/codec/decode',
      { payloads: [sealedMemo] },
      { token: options.token ?? null, headers: { 'x-namespace': 'default', ...options.headers } },
    );

  const decodedText = (reply: ApiReply<{ payloads: Array<{ data: string }> }>) =>
    Buffer.from(reply.json.payloads[0]!.data, 'base64').toString();

  it('decodes with the bearer token', async () => {
    const reply = await decodeWith({ token: h.token });
    expect(reply.status, reply.text).toBe(200);
    expect(decodedText(reply)).toContain(fx.remote);
    expect(Buffer.from(reply.json.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
  });

  it('keeps nothing for an Idempotency-Key: decoding changes nothing, and a caller without a credential writes nothing', async () => {
    const before = (await h.database.db.select().from(idempotencyKeys)).length;
    const key = randomUUID();
    const first = await decodeWith({ token: h.token, headers: { 'idempotency-key': key } });
    const again = await decodeWith({ token: h.token, headers: { 'idempotency-key': key } });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    for (let i = 0; i < 5; i++)
      expect((await decodeWith({ headers: { 'idempotency-key': randomUUID() } })).status).toBe(401);
    expect((await h.database.db.select().from(idempotencyKeys)).length).toBe(before);
  });

  it('refuses without a credential, and with a wrong token', async () => {
    expect((await decodeWith({})).status).toBe(401);
    expect((await decodeWith({ token: 'not-the-token' })).status).toBe(401);
  });

  it('takes the cookie only from the Temporal UI origin, answering with CORS for it', async () => {
    const fromUi = await decodeWith({ headers: { cookie, origin: UI_ORIGIN } });
    expect(fromUi.status, fromUi.text).toBe(200);
    expect(decodedText(fromUi)).toContain(fx.remote);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');

    for (const origin of ['http://127.0.0.1:9999', 'null', 'http://localhost:18233']) {
      const other = await decodeWith({ headers: { cookie, origin } });
      expect(other.status, origin).toBe(401);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.text).not.toContain(fx.remote);
    }
    expect((await decodeWith({ headers: { cookie } })).status).toBe(401);
    expect((await decodeWith({ headers: { cookie: 'tevis_codec=forged', origin: UI_ORIGIN } })).status).toBe(
      401,
    );
  });

  it('answers the preflight for the UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${h.apiUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ok = await preflight(UI_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    const other = await preflight('http://127.0.0.1:9999');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('has no encode route: nobody gets a payload sealed', async () => {
    const encode = await h.call('POST', '/codec/encode', {
      payloads: [
        {
          metadata: { encoding: Buffer.from('json/plain').toString('base64') },
          data: Buffer.from('"x"').toString('base64'),
        },
      ],
    });
    expect(encode.status).toBe(404);
  });

  it('returns a payload it did not seal as it came, and refuses a body that is not the protocol', async () => {
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"shown as is"').toString('base64'),
    };
    const reply = await h.call('POST', '/codec/decode', { payloads: [plain] });
    expect(reply.status).toBe(200);
    expect(reply.json.payloads).toEqual([plain]);
    expect((await h.call('POST', '/codec/decode', { nope: true })).status).toBe(400);
    expect((await h.call('POST', '/codec/decode', { payloads: [{ data: '%%%' }] })).status).toBe(400);
  });
});

describe('what the key cannot stop: a cancel request through the frontend', () => {
  it('closes the workflow without approving or merging anything, and recover brings the session back', async () => {
    await createProject(h, { name: 'side-door-cancel', repository: fx.remote });
    const { session } = await createActiveSession(h, { project: 'side-door-cancel' });
    const id = session.id as string;
    const nc = await h.call('POST', `/sessions/${id}/nanocycles`, {
      name: 'waits',
      run: ['true'],
      hold: { plan: true },
    });
    expect(nc.status, nc.text).toBe(201);
    await h.waitForSession(
      id,
      (s) => s.state?.execution?.pendingHoldPoints?.some((hp: { id: string }) => hp.id === 'HP-001-plan'),
      'the plan hold point',
    );

    // First: the sealed approval of the same hold point id in the other session, sent to this one.
    const answered = await attacker.workflowService.getWorkflowExecutionHistory({
      namespace: namespace(),
      execution: { workflowId: `${workflowId}-NC-001` },
      maximumPageSize: 1000,
    });
    const answer = answered
      .history!.events!.map((e) => e.workflowExecutionSignaledEventAttributes)
      .find(
        (a) =>
          a?.signalName === 'holdAnswered' &&
          a.identity !== 'intruder' &&
          Buffer.from(a.input?.payloads?.[0]?.metadata?.encoding ?? []).toString() === 'binary/encrypted',
      );
    expect(answer, 'the sealed approval of HP-001-plan in the first session').toBeTruthy();
    await attacker.workflowService.signalWorkflowExecution({
      namespace: namespace(),
      workflowExecution: { workflowId: `${sessionWorkflowId(id)}-NC-001` },
      signalName: 'holdAnswered',
      input: answer!.input!,
      identity: 'intruder',
      requestId: randomUUID(),
    });
    await signalsProcessed(`${sessionWorkflowId(id)}-NC-001`);
    expect((await h.call('GET', `/sessions/${id}/nanocycles`)).json.nanocycles[0].status).toBe(
      'awaiting_approval',
    );

    await attacker.workflow.getHandle(sessionWorkflowId(id)).cancel();
    const description = await waitForClosed(sessionWorkflowId(id));
    expect(description).toBe('CANCELLED');

    const events = (await h.call('GET', `/sessions/${id}/events`)).json.events.map(
      (e: { type: string }) => e.type,
    );
    expect(events).not.toContain('holdpoint.resolved');
    expect(events).not.toContain('nanocycle.merged');
    expect(events).not.toContain('nanocycle.started');
    const holds = (await h.call('GET', `/sessions/${id}/holds`)).json;
    expect(JSON.stringify(holds)).not.toContain('approved');

    const recovered = await h.call('POST', `/sessions/${id}/recover`);
    expect(recovered.status, recovered.text).toBe(200);
    expect(recovered.json.recovered).toBe(true);
    await h.waitForSession(id, (s) => s.session.status === 'active', 'the recovered session');
    expect((await h.call('POST', `/sessions/${id}/end`)).json.status).toBe('ended');
  });
});

describe('the embedded dev server of tevis up', () => {
  it('points its Web UI at the codec endpoint; sending cookies is the UI setting the person turns on', async () => {
    const server = await startTemporalDevServer({
      cliPath: inject('temporalCliPath'),
      port: await freeLoopbackPort(),
      uiPort: await freeLoopbackPort(),
      searchAttributes: {},
      uiCodecEndpoint: `${h.apiUrl}/codec`,
    });
    try {
      const settings = await (await fetch(`${server.uiUrl}/api/v1/settings`)).json();
      expect(settings.Codec).toMatchObject({
        Endpoint: `${h.apiUrl}/codec`,
        PassAccessToken: false,
        IncludeCredentials: false,
      });
    } finally {
      await server.stop();
    }
  });
});

async function waitForClosed(id: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const { status } = await h.temporalClient.workflow.getHandle(id).describe();
    if (status.name !== 'RUNNING') return status.name;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${id} is still running`);
}
