import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRunRestart } from '../../activities/tpu/run-restart.js';
import type { TpuRunInput } from '../../activities/tpu/tpu-spec.js';
import { appendLogLines } from '../../db/nanocycle-logs-store.js';
import { idempotencyKeys } from '../../db/schema.js';
import { launchChromium } from '../support/chromium.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { waitFor } from '../support/poll.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * Mission Control in a real headless Chromium against the real stack (API, worker, Temporal,
 * Postgres, git): log in, create a session, watch a nanocycle's output arrive live, approve its
 * merge with a click, end the session and read the summary — and restart the API mid-stream.
 */
const LINES = 8;
const WAIT = 60_000;
const shots = join(
  fileURLToPath(new URL('../..', import.meta.url)),
  '.cache',
  'tevis-test',
  'mission-control-screenshots',
  new Date().toISOString().replace(/[:.]/g, '-'),
);

let h: Harness;
let browser: Browser;
let page: Page;
let remote = '';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  console.log(`[tevis test] Mission Control screenshots: ${shots}`);
  [h, browser] = await Promise.all([
    startHarness({
      database: 'postgres',
      label: 'mission-control',
      env: { TEVIS_TEMPORAL_UI_URL: 'http://127.0.0.1:8233' },
    }),
    launchChromium(),
  ]);
  ({ remote } = await makeGitFixture(join(h.home, 'fixture')));
  await createProject(h, { name: 'mission', repository: remote });
  // A context of its own, so tests can open more tabs in the same browser profile (another origin, the reference).
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const shoot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const outputLines = () => page.locator('#output-lines li').allTextContents();

describe('Mission Control', () => {
  it('serves the page without the token, and nothing else', async () => {
    const home = await fetch(`${h.apiUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${h.apiUrl}/web/app.js`)).status).toBe(200);
    expect((await fetch(`${h.apiUrl}/web/eventsource-parser.js`)).headers.get('content-type')).toContain(
      'text/javascript',
    );
    const outside = await fetch(`${h.apiUrl}/web/..%2Fpackage.json`);
    expect(outside.status).not.toBe(200);
    expect(await outside.text()).not.toContain('"dependencies"');
    expect((await fetch(`${h.apiUrl}/web/nothing-here.js`)).status).toBe(404);
    expect((await fetch(`${h.apiUrl}/projects`)).status).toBe(401);
    expect((await fetch(`${h.apiUrl}/ui-config`)).status).toBe(401);
  });

  it('logs in with the token: a wrong one is refused, the link from `tevis up` logs in and drops it from the address', async () => {
    await page.goto(`${h.apiUrl}/`);
    await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
    expect(await page.locator('#app').isVisible()).toBe(false);
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect
      .poll(() => page.locator('#login-error').textContent(), { timeout: WAIT })
      .toContain('refused');
    await shoot('1-login');

    await page.goto(`${h.apiUrl}/#token=${encodeURIComponent(h.token)}`);
    await page.locator('#app').waitFor({ state: 'visible', timeout: WAIT });
    expect(await page.locator('#login').isVisible()).toBe(false);
    expect(page.url()).not.toContain(h.token);
    expect(await page.evaluate(() => localStorage.getItem('tevis.token'))).toBe(h.token);
    await expect
      .poll(() => page.locator('#sessions-empty').textContent(), { timeout: WAIT })
      .toContain('No sessions in mission yet');
    // Logged in, the browser also holds the Temporal Web UI's codec cookie: under /codec only, out of scripts' reach.
    const codecCookie = async () =>
      (await page.context().cookies(`${h.apiUrl}/codec/decode`)).find((c) => c.name === 'tevis_codec');
    await expect
      .poll(codecCookie, { timeout: WAIT })
      .toMatchObject({ path: '/codec', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('tevis_codec');
  });

  it('the API reference works in the browser with the #token= link alone: the document loads with the bearer header, no cookie is set', async () => {
    const reference = await page.context().newPage();
    const violations: string[] = [];
    reference.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const documentRequest = reference.waitForRequest((r) => r.url() === `${h.apiUrl}/openapi.json`);
    const documentResponse = reference.waitForResponse((r) => r.url() === `${h.apiUrl}/openapi.json`);
    await reference.goto(`${h.apiUrl}/reference#token=${encodeURIComponent(h.token)}`);
    expect((await documentRequest).headers().authorization).toBe(`Bearer ${h.token}`);
    expect((await documentResponse).status()).toBe(200);
    await expect.poll(() => reference.locator('.opblock').count(), { timeout: WAIT }).toBeGreaterThan(20);
    expect(reference.url()).not.toContain(h.token);
    expect(await page.context().cookies(h.apiUrl)).toEqual([]);
    expect(violations.filter((v) => /script/i.test(v))).toEqual([]);
    await reference.screenshot({ path: join(shots, '0-reference.png') });
    await reference.close();

    // Logged in to Mission Control in this browser is enough: the page shares its stored token.
    const shared = await page.context().newPage();
    const sharedRequest = shared.waitForRequest((r) => r.url() === `${h.apiUrl}/openapi.json`);
    await shared.goto(`${h.apiUrl}/reference`);
    expect((await sharedRequest).headers().authorization).toBe(`Bearer ${h.token}`);
    await expect.poll(() => shared.locator('.opblock').count(), { timeout: WAIT }).toBeGreaterThan(20);
    await shared.close();
    await page.bringToFront();

    // A browser that has no token yet is told how to give one.
    const fresh = await browser.newContext();
    const bare = await fresh.newPage();
    await bare.goto(`${h.apiUrl}/reference`);
    await bare.locator('#no-token').waitFor({ state: 'visible', timeout: WAIT });
    await fresh.close();
  });

  let sessionId = '';

  it('creates a session and shows it in the switcher and the panel', async () => {
    await page.locator('#new-session summary').click();
    await page.getByLabel('Type').selectOption('development');
    const creating = page.waitForRequest(
      (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/sessions',
      { timeout: WAIT },
    );
    await page.getByRole('button', { name: 'Create session' }).click();
    const item = page.locator('#session-list button').first();
    await item.waitFor({ timeout: WAIT });
    sessionId = (await item.getAttribute('data-session'))!;
    expect(sessionId).toMatch(/^sess_[a-z0-9]{6}$/);
    // The click sent an Idempotency-Key, and the API kept the answer under it: a retry of this
    // click could not make a second session.
    const key = (await creating).headers()['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{32,36}$/);
    const kept = await h.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key!));
    expect(kept).toMatchObject([{ status: 'done', responseStatus: 201 }]);
    expect(JSON.parse(kept[0]!.responseBody!).id).toBe(sessionId);
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('active');
    await expect.poll(() => item.textContent(), { timeout: WAIT }).toContain('active');
    expect(await page.locator('#session-details').textContent()).toContain('mission');
    expect(await page.locator('#temporal-link').getAttribute('href')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/session-${sessionId}`,
    );
    await shoot('2-session-panel');
  });

  it("streams a nanocycle's output live, and catches up without gaps or duplicates after the API restarts", async () => {
    await page.locator('#new-nanocycle summary').click();
    await page.locator('#nanocycle-name').fill('greeting');
    await page
      .locator('#nanocycle-run')
      .fill(
        [
          `for i in $(seq 1 ${LINES}); do echo "line $i"; sleep 0.5; done`,
          'echo "to stderr" >&2',
          'echo hi > GREETING.md',
        ].join('\n'),
      );
    await page.getByRole('button', { name: 'Start nanocycle' }).click();

    // Live: the first lines are on the page while the nanocycle is still running.
    await expect
      .poll(async () => (await outputLines()).some((l) => l.endsWith('line 2')), { timeout: WAIT })
      .toBe(true);
    const rowStatus = page.locator('#nanocycles tr[data-nanocycle="NC-001"]');
    // The product's words: `running` reads "in progress".
    expect(await rowStatus.locator('.badge').getAttribute('data-status')).toBe('running');
    expect(await rowStatus.locator('.badge').textContent()).toBe('in progress');
    const record = (await h.call('GET', `/sessions/${sessionId}/nanocycles`)).json.nanocycles[0];
    expect(record.finishedAt).toBeNull();

    // Record what the connection indicator says through the restart.
    await page.evaluate(() => {
      const connection = document.getElementById('connection')!;
      const states: string[] = [];
      (window as unknown as { connectionStates: string[] }).connectionStates = states;
      new MutationObserver(() => states.push(connection.textContent ?? '')).observe(connection, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const beforeRestart = (await outputLines()).length;
    await h.restartApi();
    await expect
      .poll(async () => (await outputLines()).some((l) => l.includes('to stderr')), { timeout: WAIT })
      .toBe(true);
    const lines = await outputLines();
    const numbered = lines.filter((l) => /line \d+$/.test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1]));
    expect(numbered).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(await page.locator('#output-lines li.stderr').allTextContents()).toEqual([
      expect.stringContaining('to stderr'),
    ]);
    // Exactly what the record holds, once each.
    const stored = (await h.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/logs`)).json.lines;
    expect(lines).toHaveLength(stored.length);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: WAIT }).toBe('Live');
    // The streams did drop and come back, and lines arrived after the restart.
    expect(
      await page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates),
    ).toContain('Reconnecting…');
    expect(lines.length).toBeGreaterThan(beforeRestart);
    await shoot('3-live-output');
  });

  it('a page on another port of 127.0.0.1 can neither pause the session nor approve the merge, even with the old token cookie', async () => {
    await page.locator('article[data-hold="HP-001-merge"]').waitFor({ timeout: WAIT });
    const events = async () =>
      (await h.call('GET', `/sessions/${sessionId}/events`)).json.events.length as number;
    const holds = async () => (await h.api.holdPoints(sessionId)).map((p) => `${p.id}:${p.status}`);
    const before = {
      events: await events(),
      holds: await holds(),
      status: (await h.call('GET', `/sessions/${sessionId}`)).json.session.status,
    };
    expect(before.holds).toContain('HP-001-merge:pending');

    // The cookie `/reference` used to set: a browser sends it to every port of the host.
    await page.context().addCookies([
      {
        name: 'tevis_token',
        value: h.token,
        domain: '127.0.0.1',
        path: '/',
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    const evilServer: Server = createServer((_req, res) =>
      res.end('<!doctype html><title>another origin</title>'),
    );
    await new Promise<void>((resolve) => evilServer.listen(0, '127.0.0.1', resolve));
    const evil = await page.context().newPage();
    try {
      await evil.goto(`http://127.0.0.1:${(evilServer.address() as AddressInfo).port}/`);
      const answers: number[] = [];
      evil.on('response', (r) => {
        if (r.url().startsWith(h.apiUrl) && r.request().method() === 'POST') answers.push(r.status());
      });
      const outcome = await evil.evaluate(
        async ({ api, id }) => {
          const results: string[] = [];
          for (const path of [
            `/sessions/${id}/pause`,
            `/sessions/${id}/holds/HP-001-merge/approve`,
            `/sessions/${id}/nanocycles/NC-001/merge`,
            `/sessions/${id}/end`,
          ]) {
            // Body-less, credentials included, no preflight: what the old attack sent.
            await fetch(api + path, { method: 'POST', mode: 'no-cors', credentials: 'include' });
            // With a bearer header the browser must ask first, and the API grants no CORS.
            results.push(
              await fetch(api + path, { method: 'POST', headers: { authorization: 'Bearer guessed' } }).then(
                () => 'sent',
                () => 'blocked',
              ),
            );
          }
          return results;
        },
        { api: h.apiUrl, id: sessionId },
      );
      expect(outcome).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
      // The four body-less POSTs reached the API and were refused for their origin.
      await waitFor('the refusals', () => answers.length >= 4);
      expect(answers).toEqual([403, 403, 403, 403]);
    } finally {
      await evil.close();
      await new Promise((resolve) => evilServer.close(resolve));
      await page.context().clearCookies();
      // Mission Control's tab is the focused one again, for the keyboard in the next test.
      await page.bringToFront();
    }
    // Nothing happened: the same events, the hold point still pending, the session still active.
    expect({
      events: await events(),
      holds: await holds(),
      status: (await h.call('GET', `/sessions/${sessionId}`)).json.session.status,
    }).toEqual(before);
  });

  it("shows a restarted run's tevis line set apart, and the lines of the later attempt with their attempt", async () => {
    // What a worker lost mid-run leaves in the record (durability-crash-honesty.test.ts makes it for real).
    const stored = (await h.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/logs`)).json.lines as {
      seq: number;
    }[];
    const seq = stored.at(-1)!.seq + 1;
    const run = { sessionId, nanocycleId: 'NC-001', run: 1, runId: 'e2e' } as TpuRunInput;
    await recordRunRestart(h.database.db, run, { attempt: 2, reason: 'worker-lost' }, seq);
    await appendLogLines(h.database.db, {
      sessionId,
      nanocycleId: 'NC-001',
      run: 1,
      attempt: 2,
      fromSeq: seq + 1,
      lines: [{ stream: 'stdout', line: 'line 1', at: new Date() }],
    });

    const marker = page.locator(`#output-lines li.tevis[data-seq="${seq}"]`);
    await marker.waitFor({ timeout: WAIT });
    expect(await marker.textContent()).toBe(
      'tevisNC-001 run restarted: attempt 2, because the worker running it was lost; the lines below are printed again from the start',
    );
    const again = page.locator(`#output-lines li[data-seq="${seq + 1}"]`);
    await again.waitFor({ timeout: WAIT });
    expect(await again.getAttribute('data-attempt')).toBe('2');
    expect(await again.textContent()).toBe('outNC-001 (attempt 2) line 1');
    const event = page.locator('#timeline-list li[data-type="nanocycle.run_restarted"]');
    await event.waitFor({ timeout: WAIT });
    expect(await event.textContent()).toContain(
      'NC-001 run restarted: attempt 2, because the worker running it was lost',
    );
    await shoot('3b-run-restarted');
  });

  it('approves the merge hold point with a click beside its diff; the nanocycle merges and the timeline grows', async () => {
    const hold = page.locator('article[data-hold="HP-001-merge"]');
    await hold.waitFor({ timeout: WAIT });
    await expect
      .poll(() => page.locator('#notice').textContent(), { timeout: WAIT })
      .toContain('HP-001-merge');
    await expect.poll(() => hold.locator('.diff').textContent(), { timeout: WAIT }).toContain('GREETING.md');
    await shoot('4-hold-point');
    const eventsBefore = await page.locator('#timeline-list li').count();

    // The notice takes the keyboard to the hold point.
    await page.getByRole('button', { name: 'Go to the hold points' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('comment-HP-001-merge');
    await page.keyboard.type('looks good');
    await hold.getByRole('button', { name: 'Approve' }).click();
    // Merged reads "completed", as the product says.
    const badge = page.locator('#nanocycles tr[data-nanocycle="NC-001"] .badge');
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: WAIT }).toBe('merged');
    expect(await badge.textContent()).toBe('completed');
    await expect
      .poll(() => page.locator('#timeline-list li[data-type="nanocycle.merged"]').count(), { timeout: WAIT })
      .toBe(1);
    expect(await page.locator('#timeline-list li').count()).toBeGreaterThan(eventsBefore);
    expect(await page.locator('#timeline-list li[data-type="holdpoint.resolved"]').textContent()).toContain(
      'approved by Mission Control — "looks good"',
    );
    await expect.poll(() => page.locator('#holds-empty').isVisible(), { timeout: WAIT }).toBe(true);
    expect(await page.locator('#notice').isVisible()).toBe(false);
    // Every event once, in order, across the restart too.
    const seqs = await page
      .locator('#timeline-list li')
      .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-seq'))));
    const stored = (await h.api.events(sessionId)).map((e) => e.seq);
    expect(seqs).toEqual(stored.slice(0, seqs.length));
    await shoot('5-timeline');
  });

  it('ends the session and shows its summary', async () => {
    await page.getByRole('button', { name: 'End session' }).click();
    await page.locator('#summary').waitFor({ state: 'visible', timeout: WAIT });
    await expect
      .poll(() => page.locator('#summary-text').textContent(), { timeout: WAIT })
      .toContain('NC-001');
    expect(await page.locator('#summary-figures').textContent()).toContain('merged');
    // The Markdown is rendered (from text): a heading, lists, code.
    expect(await page.locator('#summary-text h3').first().textContent()).toBe(
      `Session ${sessionId} — mission`,
    );
    expect(await page.locator('#summary-text h4').allTextContents()).toEqual(
      expect.arrayContaining(['Files changed', 'Nanocycles', 'Metrics']),
    );
    expect(await page.locator('#summary-text li code').allTextContents()).toContain('GREETING.md');
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('ended');
    // The server ends the streams with the session; the page says so and stops reconnecting.
    await expect
      .poll(() => page.locator('#connection').textContent(), { timeout: WAIT })
      .toBe('Ended: session ended');
    await shoot('6-summary');
  });

  it('starts the next session from the merged work, and its timeline says so in words', async () => {
    // The ended session pushed its merged nanocycle branch, never main.
    expect(await page.locator('#timeline-list li[data-type="branch.pushed"]').textContent()).toContain(
      'pushed feat/nc-001-greeting',
    );
    await page.locator('#new-session summary').click();
    await page.getByLabel('Type').selectOption('development');
    await page.getByRole('button', { name: 'Create session' }).click();
    const carried = page.locator('#timeline-list li[data-type="workspace.carried_forward"]');
    await carried.waitFor({ timeout: WAIT });
    const text = (await carried.textContent()) ?? '';
    expect(text).toContain(
      `carried forward from session ${sessionId}: 2 commit(s) merged there and not on the remote`,
    );
    expect(text).not.toContain('{');
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('active');
    await shoot('6b-carried-forward');
    const carriedInto = (await page.locator('#session-list button').first().getAttribute('data-session'))!;
    await page.getByRole('button', { name: 'End session' }).click();
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('ended');

    // With the workspaces that hold the merge gone, the next one starts from the remote and says why.
    for (const id of [sessionId, carriedInto])
      await rm((await h.call('GET', `/sessions/${id}`)).json.session.workspacePath, {
        recursive: true,
        force: true,
      });
    await page.locator('#new-session summary').click();
    await page.getByRole('button', { name: 'Create session' }).click();
    const left = page.locator('#timeline-list li[data-type="workspace.not_carried_forward"]');
    await left.waitFor({ timeout: WAIT });
    const why = (await left.textContent()) ?? '';
    expect(why).toContain(`not carried forward: session ${carriedInto} ended on main`);
    expect(why).toContain('is gone');
    expect(why).toContain('--push on-merge');
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('active');
    await shoot('6c-not-carried-forward');
    await page.getByRole('button', { name: 'End session' }).click();
    await expect
      .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
      .toContain('ended');
  });

  it('shows a project made elsewhere (e.g. by the CLI) without a reload', async () => {
    await createProject(h, { name: 'elsewhere', repository: remote });
    await expect
      .poll(() => page.locator('#project-picker option').allTextContents(), { timeout: WAIT })
      .toEqual(['elsewhere', 'mission']);
    expect(await page.locator('#project-picker').inputValue()).toBe('mission');
  });

  describe('switching between the sessions of a project', () => {
    const ids: string[] = [];
    /** The stream requests the page has open, by session: opened and neither finished nor failed. */
    const open = new Map<Request, string>();
    const opened: string[] = [];
    /** The page's switch requests still on their way. */
    const switching = new Set<Request>();
    const streamOf = (r: Request) =>
      /\/sessions\/(sess_[a-z0-9]+)\/(?:events|output)\/stream/.exec(r.url())?.[1];
    const openStreams = () => [...open.values()].sort();
    const statuses = async () =>
      Object.fromEntries(
        (
          (await h.call('GET', '/sessions?project=switching')).json.sessions as Array<{
            id: string;
            status: string;
          }>
        ).map((s) => [s.id, s.status]),
      );
    const storedSeqs = async (id: string) =>
      ((await h.call('GET', `/sessions/${id}/events`)).json.events as Array<{ seq: number }>).map(
        (e) => e.seq,
      );
    const storedLines = async (id: string) =>
      ((await h.call('GET', `/sessions/${id}/output`)).json.lines as Array<{ line: string }>).map(
        (l) => l.line,
      );
    const shownSeqs = () =>
      page
        .locator('#timeline-list li')
        .evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-seq'))));
    const shownSessions = () =>
      page
        .locator('#timeline-list li')
        .evaluateAll((items) => [...new Set(items.map((li) => li.getAttribute('data-session')))]);

    /** Clicks the sessions in `order`, paced unevenly so clicks land while reads and streams of the last one are on their way. */
    const clickRapidly = (order: string[]) =>
      page.evaluate(async (sequence) => {
        const pauses = [0, 3, 15, 40, 0, 250, 7, 25, 0, 400, 1, 150];
        for (const [i, id] of sequence.entries()) {
          (document.querySelector(`#session-list button[data-session="${id}"]`) as HTMLButtonElement).click();
          await new Promise((resolve) => setTimeout(resolve, pauses[i % pauses.length]));
        }
      }, order);

    /** The page shows `id`'s timeline and output, complete, once each, and nothing of another session; only its streams are open. */
    const expectShowsOnly = async (id: string) => {
      await expect
        .poll(async () => (await page.locator('#session-title').textContent()) ?? '', { timeout: WAIT })
        .toContain(id);
      await expect.poll(openStreams, { timeout: WAIT }).toEqual([id, id]);
      await expect
        .poll(async () => (await shownSeqs()).join(',') === (await storedSeqs(id)).join(','), {
          timeout: WAIT,
        })
        .toBe(true);
      await expect
        .poll(async () => (await outputLines()).length, { timeout: WAIT })
        .toBe((await storedLines(id)).length);
      expect(await shownSessions()).toEqual([id]);
      // Every line names the session it came from (its output, and the steps as they ran).
      for (const line of await outputLines()) expect(line).toContain(id);
      expect(await page.locator('#session-details').textContent()).toContain('switching');
    };

    beforeAll(async () => {
      page.on('request', (r) => {
        const id = streamOf(r);
        if (!id) return;
        open.set(r, id);
        opened.push(id);
      });
      page.on('request', (r) => {
        if (/\/switch$/.test(r.url())) switching.add(r);
      });
      const done = (r: Request) => {
        open.delete(r);
        switching.delete(r);
      };
      page.on('requestfinished', done);
      page.on('requestfailed', done);

      await createProject(h, { name: 'switching', repository: remote });
      // Three sessions of one project, each with its own timeline and output; the last is active,
      // the others paused.
      for (let i = 0; i < 3; i++) {
        const { session } = await createActiveSession(h, { project: 'switching' });
        const nanocycle = await h.call('POST', `/sessions/${session.id}/nanocycles`, {
          name: `print-${i}`,
          run: [`for k in 1 2 3; do echo "from ${session.id} line $k"; done`, `echo ${session.id} > WHO.md`],
        });
        expect(nanocycle.status, nanocycle.text).toBeLessThan(300);
        await waitFor('the nanocycle to print', async () =>
          (await storedLines(session.id)).includes(`from ${session.id} line 3`),
        );
        await waitFor(
          'the nanocycle to wait for its merge',
          async () => (await h.call('GET', `/sessions/${session.id}/holds`)).json.holdPoints.length === 1,
        );
        if (i < 2) expect((await h.call('POST', `/sessions/${session.id}/pause`)).status).toBe(200);
        ids.push(session.id);
      }
    }, 600_000);

    it('lists every session of the project with its status, the active one marked current', async () => {
      const [a, b, c] = ids as [string, string, string];
      await expect
        .poll(() => page.locator('#project-picker option').allTextContents(), { timeout: WAIT })
        .toContain('switching');
      await page.locator('#project-picker').selectOption('switching');
      await expect
        .poll(
          () =>
            page
              .locator('#session-list button')
              .evaluateAll((items) =>
                items.map(
                  (b) =>
                    `${b.getAttribute('data-session')}:${b.getAttribute('data-status')}:${b.getAttribute('data-current')}`,
                ),
              ),
          { timeout: WAIT },
        )
        .toEqual([`${c}:active:true`, `${b}:paused:false`, `${a}:paused:false`]);
      expect(await page.locator(`#session-list button[data-session="${c}"]`).textContent()).toContain(
        'current',
      );
      await expectShowsOnly(c);
      await shoot('8-switcher');
    });

    it('rapid clicks: the last clicked session is switched to and shown, with its data only, and only its streams stay open', async () => {
      const [a, b, c] = ids as [string, string, string];
      // First a is shown and streaming, so the clicks below have its streams to close too.
      await page.locator(`#session-list button[data-session="${a}"]`).click();
      await expectShowsOnly(a);
      await clickRapidly([b, c, a, c, b, a, b, c, a, c, b]);
      await expectShowsOnly(b);
      // One click on a paused session switched to it: it is the project's active one, the others paused.
      await expect.poll(statuses, { timeout: WAIT }).toEqual({ [a]: 'paused', [b]: 'active', [c]: 'paused' });
      await expect
        .poll(() => page.locator(`#session-list button[data-session="${b}"]`).getAttribute('data-current'), {
          timeout: WAIT,
        })
        .toBe('true');
      expect(
        await page.locator(`#session-list button[data-session="${b}"]`).getAttribute('aria-current'),
      ).toBe('true');
      // Streams were opened for the others along the way, and all of them are closed.
      expect(new Set(opened)).toEqual(new Set([a, b, c]));
      await shoot('9-switched');
    });

    it('after a reconnect, and with the API restarting mid-clicks, only the selected session streams and shows', async () => {
      const [a, b, c] = ids as [string, string, string];
      const before = opened.filter((id) => id === b).length;
      await h.restartApi();
      await expect
        .poll(() => opened.filter((id) => id === b).length, { timeout: WAIT })
        .toBeGreaterThan(before);
      await expectShowsOnly(b);

      // Clicks while the API goes away and comes back: reconnects are for the last choice only.
      await Promise.all([h.restartApi(), clickRapidly([c, a, b, c, a, c, b, a])]);
      await expectShowsOnly(a);
      // Whatever the restart did to the switches on their way, the project never has two active sessions.
      expect(Object.values(await statuses()).filter((s) => s === 'active').length).toBeLessThanOrEqual(1);
      // With the API settled, one more click makes the shown session the active one.
      await page.locator(`#session-list button[data-session="${a}"]`).click();
      await expect
        .poll(async () => switching.size === 0 && (await statuses())[a] === 'active', { timeout: WAIT })
        .toBe(true);
      expect(await statuses()).toEqual({ [a]: 'active', [b]: 'paused', [c]: 'paused' });
      await expectShowsOnly(a);
    });

    it("the panel's Resume of a paused session switches to it: the project's active one is paused", async () => {
      const [a, b] = ids as [string, string, string];
      // Elsewhere (the CLI, another tab) b becomes the active one; the shown a is paused by it.
      expect((await h.call('POST', `/sessions/${b}/switch`)).status).toBe(200);
      const resume = page.getByRole('button', { name: 'Resume', exact: true });
      await resume.waitFor({ state: 'visible', timeout: WAIT });
      await resume.click();
      await expect
        .poll(async () => switching.size === 0 && (await statuses())[a] === 'active', { timeout: WAIT })
        .toBe(true);
      expect(await statuses()).toMatchObject({ [a]: 'active', [b]: 'paused' });
      await expect
        .poll(() => page.locator('#session-title').textContent(), { timeout: WAIT })
        .toContain('active');
      expect(await page.locator('#panel-error').textContent()).toBe('');
    });

    it('a click on an ended session only shows it', async () => {
      const [a, b, c] = ids as [string, string, string];
      expect((await h.call('POST', `/sessions/${c}/end`)).status).toBe(200);
      // Leave one session active so that "nothing changed" means something.
      const switched = await h.call('POST', `/sessions/${b}/switch`);
      expect(switched.status).toBe(200);
      await expect
        .poll(() => page.locator(`#session-list button[data-session="${c}"]`).getAttribute('data-status'), {
          timeout: WAIT,
        })
        .toBe('ended');
      const before = await statuses();
      expect(before).toEqual({ [b]: 'active', [a]: 'paused' });
      await page.locator(`#session-list button[data-session="${c}"]`).click();
      await page.locator('#summary').waitFor({ state: 'visible', timeout: WAIT });
      await expect
        .poll(async () => (await shownSeqs()).join(',') === (await storedSeqs(c)).join(','), {
          timeout: WAIT,
        })
        .toBe(true);
      expect(await shownSessions()).toEqual([c]);
      for (const line of await outputLines()) expect(line).toContain(c);
      expect(await statuses()).toEqual(before);
      // Its streams end with it; none of another session is left open.
      await expect.poll(openStreams, { timeout: WAIT }).toEqual([]);
    });
  });

  it('fits a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await waitFor(
      'the layout to settle',
      async () => (await page.evaluate(() => document.documentElement.scrollWidth)) <= 420,
    );
    await shoot('7-narrow');
  });
});
