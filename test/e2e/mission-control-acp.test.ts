import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldPointRecord } from '../../contracts/nanocycle-records.js';
import { appendLogLines } from '../../db/nanocycle-logs-store.js';
import { holdPoints } from '../../db/schema.js';
import { type RunnerLine, updateLine } from '../../tpu/acp/runner-lines.js';
import {
  EDIT_PERMISSION,
  EDIT_TOOL_CALL,
  editRequest,
  textBlock,
  writtenLine,
} from '../support/acp-lines.js';
import { launchChromium } from '../support/chromium.js';
import { describeRun, runCli } from '../support/cli-run.js';
import { makeGitFixture } from '../support/git-fixtures.js';
import { cleanEnv, ProcessSet } from '../support/processes.js';
import { createActiveSession, createProject, type Harness, startHarness } from '../support/tevis-harness.js';

/**
 * An ACP agent's typed output and its permission request, in Mission Control (real Chromium) and
 * the CLI, against the real stack. The nanocycle and its `agent` hold point are real (a command
 * that asks by exit 75); what an ACP run adds to them — the runner's lines in the output and the
 * request the hold point keeps — is written through the stores in db/, as the worker would, so
 * the page is tested on exactly the lines given (acp-agent-sandbox.test.ts runs the real agent).
 */
const WAIT = 60_000;
const shots = join(
  fileURLToPath(new URL('../..', import.meta.url)),
  '.cache',
  'tevis-test',
  'mission-control-screenshots',
  `acp-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const AGENT = [
  'if [ -z "$TEVIS_HOLD_ANSWER" ]; then echo "plain line"; mkdir -p .tevis',
  'echo "{\\"reason\\": \\"may I edit src/a.ts?\\"}" > .tevis/hold.json; exit 75; fi',
].join('\n');
const HOSTILE = '<img src=x onerror="window.__xss = 1">\u001b[31mred';
const LINES: RunnerLine[] = [
  { type: 'started', sessionId: 'acp-1', agent: 'scripted-agent' },
  // An agent streams its text in pieces; the pieces that follow each other read as one text.
  updateLine({ sessionUpdate: 'agent_thought_chunk', content: textBlock('read a.ts ') }),
  updateLine({ sessionUpdate: 'agent_thought_chunk', content: textBlock('first') }),
  updateLine({
    sessionUpdate: 'plan',
    entries: [
      { content: 'read a.ts', priority: 'high', status: 'completed' },
      { content: 'edit a.ts', priority: 'high', status: 'in_progress' },
    ],
  }),
  EDIT_TOOL_CALL,
  EDIT_PERMISSION,
  updateLine({ sessionUpdate: 'agent_message_chunk', content: textBlock(HOSTILE) }),
  updateLine({ sessionUpdate: 'agent_message_chunk', content: textBlock(' and more') }),
];
const EDITED = editRequest(`{"path":"src/a.ts","note":"${HOSTILE.replace(/"/g, "'")}"}`);
// An option neither approve nor reject picks by itself: it gets a button of its own.
const REQUEST = {
  ...EDITED,
  options: [
    ...EDITED.options,
    { optionId: 'never', name: 'Never for this file', kind: 'reject_always' as const },
  ],
};

let h: Harness;
let browser: Browser;
let page: Page;
let sessionId = '';
let hold: HoldPointRecord;
const processes = new ProcessSet();

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  [h, browser] = await Promise.all([
    startHarness({ database: 'postgres', label: 'mc-acp' }),
    launchChromium(),
  ]);
  const { remote } = await makeGitFixture(join(h.home, 'fixture'));
  await createProject(h, { name: 'acp', repository: remote, execution: { agent: AGENT, holdMerge: false } });
  ({ id: sessionId } = (await createActiveSession(h, { project: 'acp' })).session);
  await h.api.ok('POST', `/sessions/${sessionId}/nanocycles`, { name: 'edit', goal: 'edit a.ts' }, 201);
  hold = await h.api.waitForPendingHold(sessionId, 'agent', { timeoutMs: WAIT });
  const stored = (await h.call('GET', `/sessions/${sessionId}/nanocycles/NC-001/logs`)).json.lines as {
    seq: number;
  }[];
  const written = LINES.map(writtenLine);
  await appendLogLines(h.database.db, {
    sessionId,
    nanocycleId: 'NC-001',
    run: 1,
    fromSeq: (stored.at(-1)?.seq ?? 0) + 1,
    lines: [...written, '{"tevis":"acp",'].map((line) => ({ stream: 'acp', line, at: new Date() })),
  });
  await h.database.db
    .update(holdPoints)
    .set({ agentRequest: REQUEST })
    .where(and(eq(holdPoints.sessionId, sessionId), eq(holdPoints.id, hold.id)));
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1400 } })).newPage();
  await page.goto(`${h.apiUrl}/#token=${encodeURIComponent(h.token)}`);
}, 240_000);
afterAll(async () => {
  await processes.killAll();
  await browser?.close();
  await h?.stop();
});

const shoot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const part = (kind: string) => page.locator(`#output-lines li.acp .acp-part[data-kind="${kind}"]`);

describe("Mission Control shows an ACP agent's output and its question", () => {
  it('shows each acp line in words, each kind in its own look, markup as text', async () => {
    // The malformed line is the last one stored.
    await expect.poll(() => part('unreadable').count(), { timeout: WAIT }).toBe(1);
    expect(await part('message').count()).toBe(1);
    expect(await part('thought').count()).toBe(1);
    expect(await part('started').textContent()).toBe('agent scripted-agent started (session acp-1)');
    expect(await part('thought').textContent()).toBe('thought: read a.ts first');
    expect(await part('plan').textContent()).toBe('plan (2 entries)\n  [x] read a.ts\n  [>] edit a.ts');
    expect(await part('tool').textContent()).toBe('tool [edit] Edit src/a.ts (pending)');
    expect(await part('diff').textContent()).toBe('diff src/a.ts (+2 −1)');
    expect(await part('permission').textContent()).toBe(
      'asks: [edit] Edit src/a.ts — options: Allow once / Reject',
    );
    expect(await part('unreadable').textContent()).toBe('acp line that is not JSON: {"tevis":"acp",');
    // The hostile chunk is text: no element made from it, no script run, no escape left in it.
    expect(await part('message').textContent()).toBe('<img src=x onerror="window.__xss = 1">red and more');
    expect(await page.locator('#output-lines img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // The TPU's own line stays as printed, an acp line is labelled as the agent's.
    expect(await page.locator('#output-lines li.stdout').allTextContents()).toEqual([
      expect.stringContaining('plain line'),
    ]);
    expect(await page.locator('#output-lines li.acp .stream').first().textContent()).toBe('agent');
    const look = (kind: string) =>
      part(kind).evaluate((node) => {
        const style = getComputedStyle(node);
        return `${style.color} ${style.backgroundColor} ${style.fontStyle} ${style.fontWeight}`;
      });
    const looks = await Promise.all(['thought', 'tool', 'plan', 'diff', 'message'].map(look));
    expect(new Set(looks).size).toBe(looks.length);
    await shoot('1-acp-output');
  });

  it("shows an agent hold point's tool call and its options beside approve and reject", async () => {
    const card = page.locator(`article[data-hold="${hold.id}"] .agent-request`);
    await card.waitFor({ timeout: WAIT });
    expect(await card.locator('.tool-kind').textContent()).toBe('edit');
    expect(await card.locator('.tool-title').textContent()).toBe('Edit src/a.ts');
    expect(await card.locator('.tool-paths li').allTextContents()).toEqual(['src/a.ts']);
    expect(await card.locator('.tool-input').textContent()).toBe(
      `{"path":"src/a.ts","note":"<img src=x onerror='window.__xss = 1'>red"}`,
    );
    expect(await card.locator('img').count()).toBe(0);
    const options = card.locator('.agent-options li');
    expect(await options.allTextContents()).toEqual([
      'Allow onceApprove answers with this',
      'RejectReject answers with this',
      'Never for this fileReject with this',
    ]);
    expect(await options.nth(0).getAttribute('data-answers')).toBe('approve');
    expect(await options.nth(1).getAttribute('data-answers')).toBe('reject');
    expect(await card.locator('button.option-choice').count()).toBe(1);
    expect(await options.nth(2).locator('button').getAttribute('data-option')).toBe('never');
    await shoot('2-agent-hold-point');
  });

  it('the CLI prints the same lines in words (--json raw), hold list the request, and --follow until the reject', async () => {
    const env = cleanEnv({ TEVIS_HOME: h.home, TEVIS_API_URL: h.apiUrl, TEVIS_API_TOKEN: h.token });
    const session = ['--session', sessionId];
    const logs = await runCli(processes, ['nanocycle', 'logs', 'NC-001', ...session], env);
    expect(logs.code, describeRun(logs)).toBe(0);
    expect(logs.stdout).toContain(
      'plain line\nagent scripted-agent started (session acp-1)\nthought: read a.ts first\n',
    );
    expect(logs.stdout).toContain('tool [edit] Edit src/a.ts (pending)\ndiff src/a.ts (+2 −1)\n');
    expect(logs.stdout).toContain('\n<img src=x onerror="window.__xss = 1">red and more\n');
    expect(logs.stdout).not.toMatch(/^\{"tevis"/m);
    expect(logs.stdout).not.toContain('\u001b');
    const raw = await runCli(processes, ['nanocycle', 'logs', 'NC-001', ...session, '--json'], env);
    const rawLines = raw.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rawLines.filter((l) => l.stream === 'acp').map((l) => l.line)).toHaveLength(LINES.length + 1);
    expect(rawLines.find((l) => l.stream === 'acp').line).toMatch(/^\{"tevis":"acp","type":"started"/);

    const output = await runCli(processes, ['session', 'output', sessionId], env);
    expect(output.code, describeRun(output)).toBe(0);
    expect(output.stdout).toContain(
      'NC-001  tool [edit] Edit src/a.ts (pending)\nNC-001  diff src/a.ts (+2 −1)\n',
    );

    const holds = await runCli(processes, ['hold', 'list', ...session], env);
    expect(holds.code, describeRun(holds)).toBe(0);
    expect(holds.stdout).toContain(
      [
        `${hold.id} (NC-001) asks: [edit] Edit src/a.ts`,
        '  paths: src/a.ts',
        `  input: {"path":"src/a.ts","note":"<img src=x onerror='window.__xss = 1'>red"}`,
        '  options: Allow once [approve] / Reject [reject] / Never for this file [reject --option never]',
      ].join('\n'),
    );

    const following = runCli(processes, ['nanocycle', 'logs', 'NC-001', '--follow', ...session], env);
    const card = page.locator(`article[data-hold="${hold.id}"]`);
    await card.getByLabel('Comment').fill('not now');
    // The option's own button rejects with it, and with the comment.
    const posted = page.waitForRequest(
      (r) => r.method() === 'POST' && r.url().endsWith(`/holds/${hold.id}/reject`),
    );
    await card.getByRole('button', { name: 'Reject with this', exact: true }).click();
    expect((await posted).postDataJSON()).toEqual({
      by: 'Mission Control',
      comment: 'not now',
      option: 'never',
    });
    const followed = await following;
    expect(followed.code, describeRun(followed)).toBe(0);
    expect(followed.stdout).toContain('asks: [edit] Edit src/a.ts — options: Allow once / Reject\n');
    expect(followed.stderr).toContain('NC-001 rejected');
  });
});
