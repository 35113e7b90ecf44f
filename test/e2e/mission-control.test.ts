import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRunRestart } from '../../activities/tpu/run-restart.js';
import type { TpuRunInput } from '../../activities/tpu/tpu-spec.js';
import { appendLogLines } from '../../db/nanocycle-logs-store.js';
import { launchChromium } from '../support/chromium.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { createProject, startHarness, waitFor, type Harness } from '../support/tevis-harness.js';

/**
 * Mission Control in a real headless Chromium against the real stack (API, worker, Temporal,
 * Postgres, git): log in, create a session, watch a nanocycle's output arrive live, approve its
 * merge with a click, end the session and read the summary — and restart the API mid-stream.
 */
const LINES = 8;
const WAIT = 60_000;
const shots = join(fileURLToPath(new URL('../..', import.meta.url)), '.cache', 'tevis-test', 'mission-control-screenshots', new Date().toISOString().replace(/[:.]/g, '-'));

let h: Harness;
let browser: Browser;
let page: Page;
let remote = '';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  console.log(`[tevis test] Mission Control screenshots: ${shots}`);
  [h, browser] = await Promise.all([startHarness({ database: 'postgres', label: 'mission-control', env: { TEVIS_TEMPORAL_UI_URL: 'http://127.0.0.1:8233' } }), launchChromium()]);
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
    expect((await fetch(`${h.apiUrl}/web/eventsource-parser.js`)).headers.get('content-type')).toContain('text/javascript');
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
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: WAIT }).toContain('refused');
    await shoot('1-login');

    await page.goto(`${h.apiUrl}/#token=${encodeURIComponent(h.token)}`);
    await page.locator('#app').waitFor({ state: 'visible', timeout: WAIT });
    expect(await page.locator('#login').isVisible()).toBe(false);
    expect(page.url()).not.toContain(h.token);
    expect(await page.evaluate(() => localStorage.getItem('tevis.token'))).toBe(h.token);
    await expect.poll(() => page.locator('#sessions-empty').textContent(), { timeout: WAIT }).toContain('No sessions in mission yet');
    // Logged in, the browser also holds the Temporal Web UI's codec cookie: under /codec only, out of scripts' reach.
    const codecCookie = async () => (await page.context().cookies(`${h.apiUrl}/codec/decode`)).find((c) => c.name === 'tevis_codec');
    await expect.poll(codecCookie, { timeout: WAIT }).toMatchObject({ path: '/codec', httpOnly: true, sameSite: 'Strict' });
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
    await page.getByRole('button', { name: 'Create session' }).click();
    const item = page.locator('#session-list button').first();
    await item.waitFor({ timeout: WAIT });
    sessionId = (await item.getAttribute('data-session'))!;
    expect(sessionId).toMatch(/^sess_[a-z0-9]{6}$/);
    await expect.poll(() => page.locator('#session-title').textContent(), { timeout: WAIT }).toContain('active');
    await expect.poll(() => item.textContent(), { timeout: WAIT }).toContain('active');
    expect(await page.locator('#session-details').textContent()).toContain('mission');
    expect(await page.locator('#temporal-link').getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/session-${sessionId}`);
    await shoot('2-session-panel');
  });

  it('streams a nanocycle\'s output live, and catches up without gaps or duplicates after the API restarts', async () => {
    await page.locator('#new-nanocycle summary').click();
    await page.locator('#nanocycle-name').fill('greeting');
    await page.locator('#nanocycle-run').fill([`for i in $(seq 1 ${LINES}); do echo "line $i"; sleep 0.5; done`, 'echo "to stderr" >&2', 'echo hi > GREETING.md'].join('\n'));
    await page.getByRole('button', { name: 'Start nanocycle' }).click();

    // Live: the first lines are on the page while the nanocycle is still running.
    await expect.poll(async () => (await outputLines()).some((l) => l.endsWith('line 2')), { timeout: WAIT }).toBe(true);
    const rowStatus = page.locator('#nanocycles tr[data-nanocycle="NC-001"]');
    // The product's words: `running` reads "in progress".
    expect(await rowStatus.locator('.badge').getAttribute('data-status')).toBe('running');
    expect(await rowStatus.locator('.badge').textContent()).toBe('in progress');
    const record = (await h.call('GET', `/sessions/${sessionId}/nanocycles`)).json.nanocycles[0];
    expect(record.finishedAt).toBeNull();

    // Record what the connection indicator says through the restart.
    await page.evaluate(() => {
      const connection = document.getElementById('connection')!;
      const states: string[] = ((window as unknown as { connectionStates: string[] }).connectionStates = []);
      new MutationObserver(() => states.push(connection.textContent ?? '')).observe(connection, { childList: true, characterData: true, subtree: true });
    });
    const beforeRestart = (await outputLines()).length;
    await h.restartApi();
    await expect.poll(async () => (await outputLines()).some((l) => l.includes('to stderr')), { timeout: WAIT }).toBe(true);
    const lines = await outputLines();
    const numbered = lines.filter((l) => /line \d+$/.test(l)).map((l) => Number(/line (\d+)$/.exec(l)![1]));
    expect(numbered).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(await page.locator('#output-lines li.stderr').allTextContents()).toEqual([expect.stringContaining('to stderr')]);
    // Exactly what the record holds, once each.
    const stored = (await h.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/logs`)).json.lines;
    expect(lines).toHaveLength(stored.length);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: WAIT }).toBe('Live');
    // The streams did drop and come back, and lines arrived after the restart.
    expect(await page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates)).toContain('Reconnecting…');
    expect(lines.length).toBeGreaterThan(beforeRestart);
    await shoot('3-live-output');
  });

  it('a page on another port of 127.0.0.1 can neither pause the session nor approve the merge, even with the old token cookie', async () => {
    await page.locator('article[data-hold="HP-001-merge"]').waitFor({ timeout: WAIT });
    const events = async () => (await h.call('GET', `/sessions/${sessionId}/events`)).json.events.length as number;
    const holds = async () => (await h.call('GET', `/sessions/${sessionId}/holds`)).json.holdPoints.map((p: any) => `${p.id}:${p.status}`);
    const before = { events: await events(), holds: await holds(), status: (await h.call('GET', `/sessions/${sessionId}`)).json.session.status };
    expect(before.holds).toContain('HP-001-merge:pending');

    // The cookie `/reference` used to set: a browser sends it to every port of the host.
    await page.context().addCookies([{ name: 'tevis_token', value: h.token, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict' }]);
    const evilServer: Server = createServer((_req, res) => res.end('<!doctype html><title>another origin</title>'));
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
          for (const path of [`/sessions/${id}/pause`, `/sessions/${id}/holds/HP-001-merge/approve`, `/sessions/${id}/nanocycles/NC-001/merge`, `/sessions/${id}/end`]) {
            // Body-less, credentials included, no preflight: what the old attack sent.
            await fetch(api + path, { method: 'POST', mode: 'no-cors', credentials: 'include' });
            // With a bearer header the browser must ask first, and the API grants no CORS.
            results.push(await fetch(api + path, { method: 'POST', headers: { authorization: 'Bearer guessed' } }).then(() => 'sent', () => 'blocked'));
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
    expect({ events: await events(), holds: await holds(), status: (await h.call('GET', `/sessions/${sessionId}`)).json.session.status }).toEqual(before);
  });

  it('shows a restarted run\'s tevis line set apart, and the lines of the later attempt with their attempt', async () => {
    // What a worker lost mid-run leaves in the record (durability-crash-honesty.test.ts makes it for real).
    const stored = (await h.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/logs`)).json.lines as { seq: number }[];
    const seq = stored.at(-1)!.seq + 1;
    const run = { sessionId, nanocycleId: 'NC-001', run: 1, runId: 'e2e' } as TpuRunInput;
    await recordRunRestart(h.database.db, run, { attempt: 2, reason: 'worker-lost' }, seq);
    await appendLogLines(h.database.db, { sessionId, nanocycleId: 'NC-001', run: 1, attempt: 2, fromSeq: seq + 1, lines: [{ stream: 'stdout', line: 'line 1', at: new Date() }] });

    const marker = page.locator(`#output-lines li.tevis[data-seq="${seq}"]`);
    await marker.waitFor({ timeout: WAIT });
    expect(await marker.textContent()).toBe('tevisNC-001 run restarted: attempt 2, because the worker running it was lost; the lines below are printed again from the start');
    const again = page.locator(`#output-lines li[data-seq="${seq + 1}"]`);
    await again.waitFor({ timeout: WAIT });
    expect(await again.getAttribute('data-attempt')).toBe('2');
    expect(await again.textContent()).toBe('outNC-001 (attempt 2) line 1');
    const event = page.locator('#timeline-list li[data-type="nanocycle.run_restarted"]');
    await event.waitFor({ timeout: WAIT });
    expect(await event.textContent()).toContain('NC-001 run restarted: attempt 2, because the worker running it was lost');
    await shoot('3b-run-restarted');
  });

  it('approves the merge hold point with a click beside its diff; the nanocycle merges and the timeline grows', async () => {
    const hold = page.locator('article[data-hold="HP-001-merge"]');
    await hold.waitFor({ timeout: WAIT });
    await expect.poll(() => page.locator('#notice').textContent(), { timeout: WAIT }).toContain('HP-001-merge');
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
    await expect.poll(() => page.locator('#timeline-list li[data-type="nanocycle.merged"]').count(), { timeout: WAIT }).toBe(1);
    expect(await page.locator('#timeline-list li').count()).toBeGreaterThan(eventsBefore);
    expect(await page.locator('#timeline-list li[data-type="holdpoint.resolved"]').textContent()).toContain('approved by Mission Control — "looks good"');
    await expect.poll(() => page.locator('#holds-empty').isVisible(), { timeout: WAIT }).toBe(true);
    expect(await page.locator('#notice').isVisible()).toBe(false);
    // Every event once, in order, across the restart too.
    const seqs = (await page.locator('#timeline-list li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-seq')))));
    const stored = (await h.call('GET', `/sessions/${sessionId}/events`)).json.events.map((e: any) => e.seq);
    expect(seqs).toEqual(stored.slice(0, seqs.length));
    await shoot('5-timeline');
  });

  it('ends the session and shows its summary', async () => {
    await page.getByRole('button', { name: 'End session' }).click();
    await page.locator('#summary').waitFor({ state: 'visible', timeout: WAIT });
    await expect.poll(() => page.locator('#summary-text').textContent(), { timeout: WAIT }).toContain('NC-001');
    expect(await page.locator('#summary-figures').textContent()).toContain('merged');
    // The Markdown is rendered (from text): a heading, lists, code.
    expect(await page.locator('#summary-text h3').first().textContent()).toBe(`Session ${sessionId} — mission`);
    expect(await page.locator('#summary-text h4').allTextContents()).toEqual(expect.arrayContaining(['Files changed', 'Nanocycles', 'Metrics']));
    expect(await page.locator('#summary-text li code').allTextContents()).toContain('GREETING.md');
    await expect.poll(() => page.locator('#session-title').textContent(), { timeout: WAIT }).toContain('ended');
    // The server ends the streams with the session; the page says so and stops reconnecting.
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: WAIT }).toBe('Ended: session ended');
    await shoot('6-summary');
  });

  it('shows a project made elsewhere (e.g. by the CLI) without a reload', async () => {
    await createProject(h, { name: 'elsewhere', repository: remote });
    await expect.poll(() => page.locator('#project-picker option').allTextContents(), { timeout: WAIT }).toEqual(['elsewhere', 'mission']);
    expect(await page.locator('#project-picker').inputValue()).toBe('mission');
  });

  it('fits a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await waitFor('the layout to settle', async () => (await page.evaluate(() => document.documentElement.scrollWidth)) <= 420);
    await shoot('7-narrow');
  });
});
