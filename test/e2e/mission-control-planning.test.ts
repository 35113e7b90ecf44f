import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectMemory } from '../../db/schema.js';
import { launchChromium } from '../support/chromium.js';
import { PLAN_MD, REPOSITORY_PREFERENCES, git, makeGitFixture } from '../support/git-fixtures.js';
import { createActiveSession, createProject, startHarness, type Harness } from '../support/tevis-harness.js';

/**
 * Mission Control's planning panels in a real headless Chromium against the real stack: the plan
 * rendered from Markdown (as text: markup in a plan stays text), its versions, drafting one; the
 * context documents (an edit is a commit on the session's branch) and preferences; memory.
 */
const WAIT = 60_000;
const shots = join(
  fileURLToPath(new URL('../..', import.meta.url)),
  '.cache',
  'tevis-test',
  'mission-control-screenshots',
  `planning-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const HOSTILE =
  '# Plan one\n\n- <img src=x onerror="window.__xss = 1"> first\n- <script>window.__xss = 2</script>\n';

let h: Harness;
let browser: Browser;
let page: Page;
let sessionId = '';
let workspace = '';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  [h, browser] = await Promise.all([
    startHarness({ database: 'postgres', label: 'mc-planning' }),
    launchChromium(),
  ]);
  const { remote } = await makeGitFixture(join(h.home, 'fixture'));
  await createProject(h, { name: 'atlas', repository: remote });
  await createProject(h, { name: 'zeta', repository: remote });
  const { session } = await createActiveSession(h, { project: 'atlas', type: 'planning' });
  sessionId = session.id;
  workspace = session.workspacePath;
  expect((await h.call('PUT', `/sessions/${sessionId}/plan`, { plan: HOSTILE })).json.version).toBe(1);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1400 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const shoot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

describe('Mission Control planning panels', () => {
  it('shows the plan rendered from its Markdown as text, with its versions, and drafts a new version', async () => {
    await page.goto(`${h.apiUrl}/#token=${encodeURIComponent(h.token)}`);
    await page.locator('#plan').waitFor({ state: 'visible', timeout: WAIT });
    await expect.poll(() => page.locator('#plan-text h3').textContent(), { timeout: WAIT }).toBe('Plan one');
    // Markup in the plan is text on the page: no element made from it, no script run.
    expect(await page.locator('#plan-text img, #plan-text script').count()).toBe(0);
    expect(await page.locator('#plan-text li').first().textContent()).toContain(
      '<img src=x onerror="window.__xss = 1"> first',
    );
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#plan-editor').inputValue()).toBe(HOSTILE);

    await page.getByLabel(/Draft a new version/).fill('# Plan two\n\n- **bold** step\n');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await expect
      .poll(() => page.locator('#plan-status').textContent(), { timeout: WAIT })
      .toBe('Saved as version 2.');
    await expect
      .poll(() => page.locator('#plan-version option').allTextContents(), { timeout: WAIT })
      .toEqual([expect.stringMatching(/^Version 2 \(latest\)/), expect.stringMatching(/^Version 1 —/)]);
    expect(await page.locator('#plan-text strong').textContent()).toBe('bold');
    expect((await h.call('GET', `/sessions/${sessionId}/plan`)).json).toMatchObject({
      version: 2,
      plan: '# Plan two\n\n- **bold** step\n',
    });
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    await expect.poll(() => page.locator('#plan-text h3').textContent(), { timeout: WAIT }).toBe('Plan one');
    await shoot('1-plan');
  });

  it('lists, opens, writes and deletes context documents, each change a commit on the session branch', async () => {
    await expect
      .poll(() => page.locator('#context-docs button').allTextContents(), { timeout: WAIT })
      .toEqual(['.tevis/config.json', '.tevis/plan.md']);
    await page.getByRole('button', { name: '.tevis/plan.md' }).click();
    await expect.poll(() => page.locator('#context-content').inputValue(), { timeout: WAIT }).toBe(PLAN_MD);

    await page.getByLabel(/^Document/).fill('notes/ui.md');
    await page.getByLabel('Content').fill('# From the browser\n');
    await page.getByRole('button', { name: 'Save document' }).click();
    await expect
      .poll(() => page.locator('#context-status').textContent(), { timeout: WAIT })
      .toMatch(/^Saved \.tevis\/notes\/ui\.md: commit [0-9a-f]{12}$/);
    expect(await git(['show', 'refs/heads/main:.tevis/notes/ui.md'], workspace)).toBe('# From the browser\n');
    expect((await git(['log', '-1', '--format=%s', 'refs/heads/main'], workspace)).trim()).toBe(
      'Edit context document .tevis/notes/ui.md',
    );
    await expect
      .poll(() => page.locator('#context-docs button').allTextContents(), { timeout: WAIT })
      .toContain('.tevis/notes/ui.md');

    // A path out of .tevis/ is refused with the API's words, and nothing is written.
    await page.getByLabel(/^Document/).fill('../escape.md');
    await page.getByRole('button', { name: 'Save document' }).click();
    await expect
      .poll(() => page.locator('#context-status').textContent(), { timeout: WAIT })
      .toContain('must stay inside .tevis/');

    await page.getByLabel(/^Document/).fill('notes/ui.md');
    await page.getByRole('button', { name: 'Delete document' }).click();
    await expect
      .poll(() => page.locator('#context-status').textContent(), { timeout: WAIT })
      .toMatch(/^Deleted \.tevis\/notes\/ui\.md: commit/);
    await expect(git(['cat-file', '-e', 'refs/heads/main:.tevis/notes/ui.md'], workspace)).rejects.toThrow();
    await expect
      .poll(() => page.locator('#context-docs button').allTextContents(), { timeout: WAIT })
      .toEqual(['.tevis/config.json', '.tevis/plan.md']);
  });

  it("shows the preferences the next session loads and sets and removes the project's", async () => {
    await expect
      .poll(() => page.locator('#context-prefs dt').allTextContents(), { timeout: WAIT })
      .toEqual(Object.keys(REPOSITORY_PREFERENCES).sort());
    await page.getByLabel('Preference', { exact: true }).fill('owner');
    await page.getByLabel('Value', { exact: true }).fill('ada');
    await page.getByRole('button', { name: 'Set preference' }).click();
    await expect
      .poll(() => page.locator('#context-prefs dt').allTextContents(), { timeout: WAIT })
      .toEqual(['lint', 'owner', 'style']);
    expect((await h.call('GET', '/projects/atlas')).json.settings.preferences).toEqual({ owner: 'ada' });
    await page.getByRole('button', { name: 'Remove preference owner' }).click();
    await expect
      .poll(() => page.locator('#context-prefs dt').allTextContents(), { timeout: WAIT })
      .toEqual(['lint', 'style']);
    expect((await h.call('GET', '/projects/atlas')).json.settings.preferences).toEqual({});
    await shoot('2-context');
  });

  it('browses memory by kind and opens an entry', async () => {
    await h.database.db.insert(projectMemory).values({
      project: 'atlas',
      sessionId: null,
      kind: 'note',
      content: '# Decision\n\nKeep **sessions** short. <b>not bold</b>',
    });
    await page.getByLabel('Kind').selectOption('note');
    await expect
      .poll(() => page.locator('#memory-list button').allTextContents(), { timeout: WAIT })
      .toEqual([expect.stringMatching(/^#\d+ note$/)]);
    await page.locator('#memory-list button').first().click();
    await expect
      .poll(() => page.locator('#memory-entry h4').textContent(), { timeout: WAIT })
      .toBe('Decision');
    expect(await page.locator('#memory-entry strong').textContent()).toBe('sessions');
    expect(await page.locator('#memory-entry b').count()).toBe(0);
    await page.getByLabel('Kind').selectOption('summary');
    await expect
      .poll(() => page.locator('#memory-list').textContent(), { timeout: WAIT })
      .toContain('No memory yet');
    await shoot('3-memory');
  });

  it('shows no plan or context panel for a development session, but its memory', async () => {
    const dev = (await createActiveSession(h, { project: 'zeta', type: 'development' })).session.id as string;
    await page.locator('#project-picker').selectOption('zeta');
    await expect.poll(() => page.locator('#session-title').textContent(), { timeout: WAIT }).toContain(dev);
    await expect.poll(() => page.locator('#plan').isVisible(), { timeout: WAIT }).toBe(false);
    expect(await page.locator('#context').isVisible()).toBe(false);
    expect(await page.locator('#memory').isVisible()).toBe(true);
  });
});
