import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionLogLine } from '../../contracts/nanocycle-records.js';
import { parseOutputCursor } from '../../contracts/output-cursor.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import {
  createActiveSession,
  createProject,
  type DatabaseKind,
  type Harness,
  startHarness,
} from '../support/tevis-harness.js';
import { nanocycleOutputIsOver } from '../../contracts/stream-end.js';
import { openSse } from '../support/sse-client.js';

/**
 * A session's output in one stream (GET /sessions/:id/output/stream): the lines of nanocycles
 * running at once, each nanocycle's in order, every line once across a dropped connection.
 */
const LINES = 30;
// Slow enough that both TPUs print at the same time and the client drops mid-way.
const PRINTER = [
  `for i in $(seq 1 ${LINES}); do echo "$TEVIS_NANOCYCLE_ID line $i"; sleep 0.05; done`,
  'echo "$TEVIS_NANOCYCLE_ID done" >&2',
];

function outputSuite(kind: DatabaseKind) {
  describe(`session output on ${kind}`, () => {
    let h: Harness;
    let remote = '';
    beforeAll(async () => {
      h = await startHarness({ database: kind, label: `output-${kind}` });
      remote = (await makeGitFixture(join(h.home, 'fixture'))).remote;
      await createProject(h, { name: 'printer', repository: remote, execution: { holdMerge: false } });
      await createProject(h, { name: 'neighbour', repository: remote });
      await createProject(h, { name: 'quiet', repository: remote });
      await createProject(h, { name: 'cli-out', repository: remote, execution: { holdMerge: false } });
    });
    const processes = new ProcessSet();
    afterAll(async () => {
      await processes.killAll();
      await h?.stop();
    });

    it('streams two nanocycles at once, each in order, every line once across a reconnect', async () => {
      const { session } = await createActiveSession(h, { project: 'printer' });
      const { session: neighbour } = await createActiveSession(h, { project: 'neighbour' });
      const url = `${h.apiUrl}/sessions/${session.id}/output/stream`;

      const first = await openSse<SessionLogLine>(url, { token: h.token, dropAfter: 12 });
      expect(first.status).toBe(200);
      expect(first.contentType).toContain('text/event-stream');
      for (const name of ['one', 'two'])
        expect(
          (await h.call('POST', `/sessions/${session.id}/nanocycles`, { name, run: PRINTER })).status,
        ).toBe(201);
      // Output of another session must never show up in this one's stream.
      await h.call('POST', `/sessions/${neighbour.id}/nanocycles`, {
        name: 'other',
        run: ['echo not yours'],
      });

      // The record says which executor runs it while it runs, not only once it is done.
      await waitFor('NC-001 running on the sandbox executor', async () => {
        const row = (await h.api.nanocycles(session.id)).find((n) => n.id === 'NC-001');
        return row?.status === 'running' && row.executor === 'sandbox';
      });
      await first.until('12 lines before the drop', (items) => items.length >= 12);
      await first.close();
      const lastId = first.messages.at(-1)!.id!;
      expect(parseOutputCursor(lastId)).not.toBeNull();

      const second = await openSse<SessionLogLine>(url, { token: h.token, lastEventId: lastId });
      const done = (nc: string) => (items: SessionLogLine[]) =>
        items.some((l) => l.nanocycleId === nc && l.line === `${nc} done`);
      await second.until(
        'both nanocycles to finish printing',
        (items) => done('NC-001')(items) && done('NC-002')(items),
      );
      await second.close();

      const seen = [...first.items, ...second.items];
      for (const nc of ['NC-001', 'NC-002']) {
        const stored = await h.api.logLines(session.id, nc);
        const mine = seen.filter((l) => l.nanocycleId === nc);
        // Once each, in the nanocycle's order, exactly what its record holds.
        expect(mine.map((l) => l.seq)).toEqual(stored.map((l) => l.seq));
        expect(mine.map((l) => l.line)).toEqual(stored.map((l) => l.line));
        expect(mine.filter((l) => l.line.startsWith(`${nc} line`))).toHaveLength(LINES);
      }
      expect(seen.some((l) => l.line === 'not yours')).toBe(false);
      // Each id is the cursor after its line: the last one covers everything seen.
      expect(parseOutputCursor(second.messages.at(-1)!.id!)).toEqual({
        'NC-001': Math.max(...seen.filter((l) => l.nanocycleId === 'NC-001').map((l) => l.seq)),
        'NC-002': Math.max(...seen.filter((l) => l.nanocycleId === 'NC-002').map((l) => l.seq)),
      });

      // The list route pages by the same cursor.
      const all = await h.call('GET', `/sessions/${session.id}/output`);
      expect(all.json.lines).toHaveLength(seen.length);
      const rest = await h.call('GET', `/sessions/${session.id}/output?after=${encodeURIComponent(lastId)}`);
      expect(rest.json.lines.map((l: SessionLogLine) => `${l.nanocycleId}:${l.seq}`).sort()).toEqual(
        second.items.map((l) => `${l.nanocycleId}:${l.seq}`).sort(),
      );
      expect(rest.json.cursor).toBe(all.json.cursor);
      expect(all.json.more).toBe(false);
      // A read cut at one line a nanocycle says so, and its cursor goes no further than it read.
      const cut = await h.call('GET', `/sessions/${session.id}/output?limit=1`);
      expect(cut.json.more).toBe(true);
      expect(cut.json.lines.map((l: SessionLogLine) => l.seq)).toEqual([1, 1]);
      expect(parseOutputCursor(cut.json.cursor)).toEqual({ 'NC-001': 1, 'NC-002': 1 });
      await waitFor('the neighbour nanocycle to finish', async () =>
        (await h.call('GET', `/sessions/${neighbour.id}/output`)).json.lines.some(
          (l: SessionLogLine) => l.line === 'not yours',
        ),
      );

      // A nanocycle's own stream ends once it prints no more: every line, then `end`, then closed;
      // asked again after its last line, it answers 204.
      await waitFor('NC-001 to print no more', async () => {
        const row = (await h.call('GET', `/sessions/${session.id}/nanocycles`)).json.nanocycles.find(
          (n: { id: string }) => n.id === 'NC-001',
        );
        return row !== undefined && nanocycleOutputIsOver(row);
      });
      const logsUrl = `${h.apiUrl}/sessions/${session.id}/nanocycles/NC-001/logs/stream`;
      const logs = await openSse<{ seq: number }>(logsUrl, { token: h.token });
      await logs.until('the server to end the nanocycle stream', () => logs.closedByServer());
      const storedSeqs = (
        (await h.call('GET', `/sessions/${session.id}/nanocycles/NC-001/logs`)).json.lines as {
          seq: number;
        }[]
      ).map((l) => l.seq);
      expect(logs.items.map((l) => l.seq)).toEqual(storedSeqs);
      expect(logs.endReason()).toMatch(/^nanocycle (completed|merged|awaiting_approval)$/);
      const again = await fetch(logsUrl, {
        headers: { authorization: `Bearer ${h.token}`, 'last-event-id': String(storedSeqs.at(-1)) },
      });
      expect(again.status).toBe(204);
      await h.call('POST', `/sessions/${session.id}/end`);
      await h.call('POST', `/sessions/${neighbour.id}/end`);
    });

    // The CLI is the same whatever the database; once is enough.
    if (kind === 'postgres')
      it('tevis session output prints it all, and --follow streams it until the session ends', async () => {
        const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
        const { session } = await createActiveSession(h, { project: 'cli-out' });
        const id = session.id as string;
        const empty = await runCli(processes, ['session', 'output', id], env);
        expect(empty.code, describeRun(empty)).toBe(0);
        expect(empty.stderr).toContain('has printed anything yet');

        const following = runCli(processes, ['session', 'output', id, '--follow', '--json'], env);
        const timeline = runCli(processes, ['session', 'timeline', id, '--follow', '--json'], env);
        for (const name of ['one', 'two']) {
          const created = await h.call('POST', `/sessions/${id}/nanocycles`, {
            name,
            run: [
              'for i in 1 2 3; do echo "$TEVIS_NANOCYCLE_ID out $i"; sleep 0.1; done',
              'echo "$TEVIS_NANOCYCLE_ID err" >&2',
            ],
          });
          expect(created.status).toBe(201);
        }
        // One nanocycle's output alone, followed until it is done.
        const logs = await runCli(
          processes,
          ['nanocycle', 'logs', 'NC-002', '--follow', '--session', id],
          env,
        );
        expect(logs.code, describeRun(logs)).toBe(0);
        expect(logs.stdout.split('\n').filter((l) => l.startsWith('NC-002'))).toEqual([
          'NC-002 out 1',
          'NC-002 out 2',
          'NC-002 out 3',
        ]);
        expect(logs.stderr).toContain('NC-002 err');
        expect(logs.stderr).toContain('NC-002 completed');
        // They change no file: nothing to commit or merge, so they end completed.
        await waitFor('both nanocycles to complete', async () => {
          const rows = await h.api.nanocycles(id);
          return rows.length === 2 && rows.every((n) => n.status === 'completed');
        });
        await h.call('POST', `/sessions/${id}/end`);
        const followed = await following;
        expect(followed.code, describeRun(followed)).toBe(0);
        const followedTimeline = await timeline;
        expect(followedTimeline.code, describeRun(followedTimeline)).toBe(0);
        const eventTypes = followedTimeline.stdout
          .trim()
          .split('\n')
          .map((text) => (JSON.parse(text) as { type: string }).type);
        expect(eventTypes.at(-1)).toBe('session.ended');
        expect(eventTypes.filter((t) => t === 'nanocycle.completed')).toHaveLength(2);
        const streamed = followed.stdout
          .trim()
          .split('\n')
          .map((text) => JSON.parse(text) as SessionLogLine);
        const stored = (await h.call('GET', `/sessions/${id}/output`)).json.lines as SessionLogLine[];
        // Each run step is announced (`$ …`) before its output: 2 × (2 steps + 4 lines).
        expect(stored).toHaveLength(12);
        // Every line once: the same set as the record, each nanocycle's in its order.
        expect(streamed.map((l) => `${l.nanocycleId}:${l.seq}`).sort()).toEqual(
          stored.map((l) => `${l.nanocycleId}:${l.seq}`).sort(),
        );
        for (const nc of ['NC-001', 'NC-002']) {
          const printed = streamed
            .filter((l) => l.nanocycleId === nc && !l.line.startsWith('$ '))
            .map((l) => l.line);
          expect(printed).toEqual([`${nc} out 1`, `${nc} out 2`, `${nc} out 3`, `${nc} err`]);
        }

        const text = await runCli(processes, ['session', 'output', id], env);
        expect(text.code, describeRun(text)).toBe(0);
        expect(text.stdout).toContain('NC-001  NC-001 out 1\n');
        expect(text.stdout).not.toContain('NC-002 err');
        expect(text.stderr).toContain('NC-002  NC-002 err\n');
        const missing = await runCli(processes, ['session', 'output', 'sess_zzzzzz'], env);
        expect(missing.code, describeRun(missing)).toBe(3);
      });

    it('refuses a cursor that is not one, and an unknown session', async () => {
      const { session } = await createActiveSession(h, { project: 'quiet' });
      const bad = await h.call(
        'GET',
        `/sessions/${session.id}/output?after=${encodeURIComponent('NC-001:x')}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.json.type).toBe('urn:tevis:problem:validation');
      const badId = await fetch(`${h.apiUrl}/sessions/${session.id}/output/stream`, {
        headers: { authorization: `Bearer ${h.token}`, 'last-event-id': 'DROP TABLE' },
      });
      expect(badId.status).toBe(400);
      expect(((await badId.json()) as { type: string }).type).toBe('urn:tevis:problem:validation');
      const missing = await h.call('GET', '/sessions/sess_zzzzzz/output');
      expect(missing.status).toBe(404);
    });
  });
}

outputSuite('postgres');
outputSuite('pglite');
