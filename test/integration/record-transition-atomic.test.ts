import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordTransition } from '../../activities/record-transition.js';
import { recordTransitions } from '../../activities/record-transitions.js';
import { DEFAULT_PROJECT_SETTINGS } from '../../contracts/project.js';
import { type OpenDatabase, openDatabase } from '../../db/database.js';
import { insertProject } from '../../db/projects-store.js';
import { getSession, insertSession } from '../../db/sessions-store.js';
import { listEvents } from '../../db/timeline-store.js';
import { freshPostgresDatabase } from '../support/fresh-postgres.js';
import { waitFor } from '../support/poll.js';

/**
 * A status and the event that announces it are one write. Written apart, a client could read
 * `active`, list the events, and miss the ones still on their way: the landing CI saw exactly that
 * (a stream opened after the "last" event received the start's events again).
 *
 * Each test holds the events table in another connection so the write stops between its parts,
 * then looks at the record from a third: the row must not have moved while its event is held back.
 */

let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let database: OpenDatabase;
let sessionNumber = 0;

beforeAll(async () => {
  fresh = await freshPostgresDatabase(inject('databaseUrl'), 'tevis_atomic');
  database = await openDatabase({ url: fresh.url });
});

afterAll(async () => {
  await database?.close();
  await fresh?.drop();
});

/** A session of its own project, unless a project is named (the one-active rule is per project). */
async function newSession(project = `atomic${sessionNumber + 1}`): Promise<string> {
  const id = `sess_atomic${++sessionNumber}`;
  if (project === `atomic${sessionNumber}`) {
    await insertProject(database.db, {
      name: project,
      repository: `file:///nowhere/${project}.git`,
      defaultBranch: 'main',
      settings: DEFAULT_PROJECT_SETTINGS,
    });
  }
  const config = {
    type: 'development' as const,
    branch: 'main',
    activeTimeoutSeconds: 60,
    pausedTimeoutSeconds: 60,
  };
  await insertSession(database.db, { id, project, type: 'development', branch: 'main', config });
  return id;
}

/** Runs `write` while another connection keeps every insert into `events` waiting. */
async function whileEventsAreHeld<T>(write: () => Promise<T>, whileHeld: () => Promise<void>): Promise<T> {
  const holder = new pg.Client({ connectionString: fresh.url });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table events in exclusive mode');
    const writing = write();
    writing.catch(() => {});
    await waitFor('the write to wait for the events table', async () => {
      const { rows } = await holder.query(
        `select count(*)::int as n from pg_locks where relation = 'events'::regclass and not granted`,
      );
      return rows[0].n > 0;
    });
    await whileHeld();
    await holder.query('commit');
    return await writing;
  } finally {
    await holder.end();
  }
}

describe('a transition is written whole', () => {
  it('recordTransition: the new status is not visible before its event', async () => {
    const id = await newSession();
    const written = await whileEventsAreHeld(
      () =>
        recordTransition(database.db, {
          sessionId: id,
          changes: { status: 'active', workspacePath: '/w/atomic' },
          event: { sessionId: id, type: 'session.active', data: {}, key: 'run:1' },
        }),
      async () => {
        const seen = await getSession(database.db, id);
        expect(seen.status).toBe('starting');
        expect(seen.workspacePath).toBeNull();
        expect(await listEvents(database.db, id)).toEqual([]);
      },
    );
    expect(written.type).toBe('session.active');
    expect((await getSession(database.db, id)).status).toBe('active');
    expect((await listEvents(database.db, id)).map((e) => e.type)).toEqual(['session.active']);
  });

  it('recordTransitions: the start batch and its status land together', async () => {
    const id = await newSession();
    await whileEventsAreHeld(
      () =>
        recordTransitions(database.db, {
          sessionId: id,
          changes: { status: 'active', workspacePath: '/w/atomic', startCommit: 'a'.repeat(40) },
          events: [
            {
              sessionId: id,
              type: 'workspace.cloned',
              data: { path: '/w/atomic', startCommit: 'a'.repeat(40), reused: false },
              key: 'run:1',
            },
            { sessionId: id, type: 'session.active', data: {}, key: 'run:2' },
          ],
        }),
      async () => {
        expect((await getSession(database.db, id)).status).toBe('starting');
        expect(await listEvents(database.db, id)).toEqual([]);
      },
    );
    expect((await getSession(database.db, id)).status).toBe('active');
    expect((await listEvents(database.db, id)).map((e) => e.type)).toEqual([
      'workspace.cloned',
      'session.active',
    ]);
  });

  it('a status the one-active rule refuses writes nothing, and says which session holds the project', async () => {
    // Both sessions paused first: `starting` counts as active for the rule.
    const pause = (id: string) =>
      recordTransition(database.db, {
        sessionId: id,
        changes: { status: 'paused' },
        event: { sessionId: id, type: 'session.paused', data: {}, key: `${id}:0` },
      });
    const first = await newSession();
    await pause(first);
    const second = await newSession(`atomic${sessionNumber}`);
    await pause(second);
    await recordTransition(database.db, {
      sessionId: first,
      changes: { status: 'active' },
      event: { sessionId: first, type: 'session.active', data: {}, key: 'first:1' },
    });
    const refused = recordTransition(database.db, {
      sessionId: second,
      changes: { status: 'active' },
      event: { sessionId: second, type: 'session.active', data: {}, key: 'second:1' },
    });
    await expect(refused).rejects.toMatchObject({ type: 'session-conflict', nonRetryable: true });
    await expect(refused).rejects.toThrow(first);
    expect((await getSession(database.db, second)).status).toBe('paused');
    expect((await listEvents(database.db, second)).map((e) => e.type)).toEqual(['session.paused']);
    // The refusal rolled back only its own write: the first session and the pool are unharmed.
    expect((await getSession(database.db, first)).status).toBe('active');
    expect((await listEvents(database.db, first)).map((e) => e.type)).toEqual([
      'session.paused',
      'session.active',
    ]);
  });
});
