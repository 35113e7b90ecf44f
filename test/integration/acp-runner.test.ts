import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNER_EXIT } from '../../tpu/acp/exit-codes.js';
import { AcpRunnerProcess } from '../support/acp-runner-process.js';
import { git, makeGitFixture } from '../support/git-fixtures.js';
import { ProcessSet } from '../support/processes.js';
import { APPROVED_TEXT, NOTES_TEXT } from '../support/scripted-acp-agent.js';

/**
 * The in-TPU ACP runner (tpu/acp/runner.ts) as a real process against the scripted agent, in a
 * real git worktree: the lines a worker will read, the answers it will write, the files.
 */
const processes = new ProcessSet();
afterAll(() => processes.killAll());

/** A nanocycle-like worktree of a fresh repository, with a sibling folder standing for "outside". */
async function worktree() {
  const base = await mkdtemp(join(tmpdir(), 'tevis-acp-runner-'));
  const fixture = await makeGitFixture(join(base, 'repo'), { only: { 'README.md': '# acp\n' } });
  const root = join(base, 'worktree');
  await git(['worktree', 'add', '-q', '-b', 'nanocycle', root], fixture.work);
  const outside = join(base, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'secret\n');
  const contextFile = join(base, 'context.json');
  await writeFile(
    contextFile,
    JSON.stringify({
      documents: [{ path: '.tevis/plan.md', content: '# Plan\n- keep notes\n' }],
      preferences: { style: 'terse' },
      memory: ['An earlier session set the repository up.'],
    }),
  );
  return { base, root, outside, contextFile };
}

/** What an update line shows in one word or two, to compare the whole stream at once. */
function shown(runner: AcpRunnerProcess): string[] {
  return runner.lines.map((line) => {
    if (line.type !== 'update') return line.type;
    const u = line.update;
    if (line.kind === 'tool_call' || line.kind === 'tool_call_update')
      return `${line.kind}:${u.toolCallId}:${u.status}`;
    if (line.kind === 'message') return `message:${u.content.text}`;
    return line.kind;
  });
}

async function atPermission(options: { goal?: string } = {}) {
  const tree = await worktree();
  const runner = AcpRunnerProcess.start(processes, {
    root: tree.root,
    goal: options.goal ?? 'Keep notes of the work',
    contextFile: tree.contextFile,
  });
  const permission = await runner.waitForLine('permission');
  return { ...tree, runner, permission };
}

describe('the in-TPU ACP runner', () => {
  it('streams the typed updates in order, serves the edit in the worktree, and takes "allow" from stdin', async () => {
    const { root, runner, permission } = await atPermission();
    expect(permission).toMatchObject({
      id: 1,
      toolCall: { toolCallId: 'edit-approved', title: 'Write APPROVED.md' },
      options: [{ optionId: 'allow' }, { optionId: 'reject' }],
    });
    runner.send({ optionId: 'allow' });
    const { exit, end } = await runner.finished();
    expect(end).toMatchObject({ stopReason: 'end_turn', exitCode: 0 });
    expect(exit.code).toBe(RUNNER_EXIT.endTurn);
    expect(shown(runner)).toEqual([
      'started',
      'plan',
      'thought',
      'message:I will write NOTES.md.',
      'tool_call:edit-notes:pending',
      'tool_call_update:edit-notes:in_progress',
      'tool_call_update:edit-notes:completed',
      'tool_call:edit-approved:pending',
      'permission',
      'permission_answered',
      'tool_call_update:edit-approved:completed',
      'message:Allowed: APPROVED.md written.',
      'message:Done.',
      'end',
    ]);
    expect(runner.untagged).toEqual([]);
    // The prompt held the goal and the loaded context.
    const thought = runner.lines.find((line) => line.kind === 'thought')!.update.content.text;
    expect(thought).toContain('Keep notes of the work');
    expect(thought).toContain('# Planning document: .tevis/plan.md');
    expect(thought).toContain('- style: terse');
    expect(thought).toContain('An earlier session set the repository up.');
    const completed = runner.lines.find(
      (l) => l.kind === 'tool_call_update' && l.update.status === 'completed',
    );
    expect(completed?.diffs).toEqual([
      { toolCallId: 'edit-notes', path: join(root, 'NOTES.md'), oldText: null, newText: NOTES_TEXT },
    ]);
    expect(await readFile(join(root, 'NOTES.md'), 'utf8')).toBe(NOTES_TEXT);
    expect(await readFile(join(root, 'APPROVED.md'), 'utf8')).toBe(APPROVED_TEXT);
    expect(await git(['status', '--porcelain'], root)).toBe('?? APPROVED.md\n?? NOTES.md\n');
  });

  it('reports stdin lines it does not understand, then takes "reject": the agent writes nothing more', async () => {
    const { root, runner } = await atPermission();
    runner.send('yes please');
    runner.send({ optionId: 'maybe' });
    await runner.waitForLine('input_error', (line) =>
      /"maybe" is not one of allow, reject/.test(line.message),
    );
    expect(runner.lines.filter((line) => line.type === 'input_error')).toHaveLength(2);
    runner.send({ optionId: 'reject', comment: 'keep APPROVED.md out' });
    const { exit } = await runner.finished();
    expect(exit.code).toBe(RUNNER_EXIT.endTurn);
    expect(shown(runner).slice(-5)).toEqual([
      'permission_answered',
      'tool_call_update:edit-approved:failed',
      // The comment reached the agent with the answer (the scripted agent says it back).
      'message:Rejected: APPROVED.md left alone. The person said: keep APPROVED.md out',
      'message:Done.',
      'end',
    ]);
    expect(await readdir(root)).not.toContain('APPROVED.md');
    expect(await readFile(join(root, 'NOTES.md'), 'utf8')).toBe(NOTES_TEXT);
  });

  it('cancels the turn on a {"cancel":true} line: the open request is answered cancelled, exit 20', async () => {
    const { root, runner } = await atPermission();
    runner.send({ cancel: true });
    const { exit, end } = await runner.finished();
    expect(end).toMatchObject({ stopReason: 'cancelled', exitCode: RUNNER_EXIT.cancelled });
    expect(exit.code).toBe(RUNNER_EXIT.cancelled);
    expect(runner.lines.find((line) => line.type === 'permission_answered')).toMatchObject({
      outcome: 'cancelled',
    });
    expect(shown(runner).slice(-3)).toEqual(['cancelling', 'permission_answered', 'end']);
    expect(await readdir(root)).not.toContain('APPROVED.md');
  });

  it('cancels the turn when stdin closes with a permission request open: nobody can answer it', async () => {
    const { runner } = await atPermission();
    runner.closeStdin();
    const { exit } = await runner.finished();
    expect(exit.code).toBe(RUNNER_EXIT.cancelled);
    expect(runner.lines.find((line) => line.type === 'cancelling')?.why).toMatch(/stdin closed/);
  });

  it('cancels a working agent on SIGTERM and waits for it to end the turn', async () => {
    const { root } = await worktree();
    const runner = AcpRunnerProcess.start(processes, { root, agentEnv: { SCRIPTED_AGENT_MODE: 'wait' } });
    await runner.waitForLine('update', (line) => line.update.content?.text === 'Starting.');
    runner.process.signal('SIGTERM');
    const { exit, end } = await runner.finished();
    expect(end).toMatchObject({ stopReason: 'cancelled' });
    expect(exit.code).toBe(RUNNER_EXIT.cancelled);
    expect(runner.lines.find((line) => line.type === 'cancelling')?.why).toBe('SIGTERM');
  });

  it('refuses file requests that leave the worktree, declines terminals, and nothing outside changes', async () => {
    const { base, root, outside } = await worktree();
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link'));
    await symlink(outside, join(root, 'outside-link'));
    const passwd = await readFile('/etc/passwd', 'utf8');
    const attempts = [
      { op: 'read', path: '../outside/secret.txt' },
      { op: 'write', path: '../outside/planted.txt' },
      { op: 'read', path: '/etc/passwd' },
      { op: 'write', path: join(outside, 'planted.txt') },
      { op: 'read', path: join(root, 'secret-link') },
      { op: 'write', path: join(root, 'secret-link') },
      { op: 'write', path: join(root, 'outside-link', 'planted.txt') },
      { op: 'terminal', path: join(outside, 'touched.txt') },
      { op: 'write', path: join(root, 'inside.txt') },
    ];
    const runner = AcpRunnerProcess.start(processes, {
      root,
      agentEnv: { SCRIPTED_AGENT_MODE: 'escape', SCRIPTED_AGENT_ESCAPES: JSON.stringify(attempts) },
    });
    const { exit } = await runner.finished();
    expect(exit.code).toBe(RUNNER_EXIT.endTurn);
    const results = runner.lines
      .filter((line) => line.kind === 'message')
      .map((line) => line.update.content.text);
    expect(results).toHaveLength(attempts.length);
    for (const [i, result] of results.slice(0, 7).entries())
      expect(result, attempts[i]!.path).toMatch(/refused/);
    expect(results[7]).toMatch(/method not found/i);
    expect(results[8]).toMatch(/: ok$/);
    expect(runner.lines.filter((line) => line.type === 'refused').map((line) => line.path)).toEqual(
      attempts.slice(0, 7).map((attempt) => attempt.path),
    );
    // The file system, not only the errors: outside is as it was, the inside write landed.
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expect(await readFile('/etc/passwd', 'utf8')).toBe(passwd);
    expect((await readdir(base)).sort()).toEqual(['context.json', 'outside', 'repo', 'worktree']);
    expect(await readFile(join(root, 'inside.txt'), 'utf8')).toBe('escaped\n');
  });

  it('ends with exit 23 and an agent_crashed line when the agent dies mid-turn', async () => {
    const { root } = await worktree();
    const runner = AcpRunnerProcess.start(processes, { root, agentEnv: { SCRIPTED_AGENT_MODE: 'crash' } });
    const { exit, end } = await runner.finished();
    expect(exit.code).toBe(RUNNER_EXIT.agentCrashed);
    expect(end).toMatchObject({ stopReason: 'agent_crashed', exitCode: RUNNER_EXIT.agentCrashed });
    expect(shown(runner)).toEqual(['started', 'message:Starting.', 'end']);
  });

  it('ends with exit 23 when the agent command cannot start, and 64 when none is named', async () => {
    const { root } = await worktree();
    const missing = AcpRunnerProcess.start(processes, { root, agent: [join(root, 'no-such-agent')] });
    expect((await missing.finished()).exit.code).toBe(RUNNER_EXIT.agentCrashed);
    const none = AcpRunnerProcess.start(processes, { root, agent: [] });
    const { exit, end } = await none.finished();
    expect(exit.code).toBe(RUNNER_EXIT.usage);
    expect(end.message).toMatch(/name the agent command/);
  });
});
