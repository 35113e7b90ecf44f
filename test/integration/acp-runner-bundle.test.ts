import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNER_EXIT } from '../../tpu/acp/exit-codes.js';
import { acpRunnerBundle } from '../../tpu/acp/runner-bundle.js';
import { AcpRunnerProcess } from '../support/acp-runner-process.js';
import { ProcessSet } from '../support/processes.js';
import { APPROVED_TEXT, NOTES_TEXT } from '../support/scripted-acp-agent.js';
import { scriptedAgentBundle } from '../support/scripted-agent-bundle.js';

/**
 * The runner as the TPU gets it: one bundled file (tpu/acp/runner-bundle.ts) run by plain node
 * from a directory with no node_modules, against the scripted agent bundled the same way and
 * committed as `.agent/agent.mjs`. In a container: tpu-node-image.test.ts.
 */
const processes = new ProcessSet();
afterAll(() => processes.killAll());

const tempDir = (name: string) => mkdtemp(join(tmpdir(), `tevis-acp-bundle-${name}-`));

/** Every module a bundle imports: only Node's builtins may be left. */
function importsOf(text: string): string[] {
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*import\s[^;]*?from\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g),
  ];
  return specifiers.map((match) => match[1] ?? match[2]!);
}

describe('the bundled ACP runner', () => {
  it('runs alone under plain node against the bundled scripted agent, takes "allow" on stdin and ends with exit 0', async () => {
    const runner = join(await tempDir('alone'), 'acp-runner.mjs');
    await copyFile(await acpRunnerBundle(await tempDir('out')), runner);
    const root = await tempDir('workspace');
    await mkdir(join(root, '.agent'));
    await writeFile(join(root, '.agent', 'agent.mjs'), await scriptedAgentBundle());

    const run = AcpRunnerProcess.start(processes, {
      root,
      goal: 'Keep notes of the work',
      runnerBundle: runner,
      agent: ['node', '.agent/agent.mjs'],
    });
    expect(await run.waitForLine('permission')).toMatchObject({ options: [{ optionId: 'allow' }, {}] });
    run.send({ optionId: 'allow' });
    const { exit, end } = await run.finished();
    expect(end, run.describe()).toMatchObject({ type: 'end', stopReason: 'end_turn', exitCode: 0 });
    expect(exit.code).toBe(RUNNER_EXIT.endTurn);
    expect(run.untagged).toEqual([]);
    expect(
      run.lines.find((line) => line.type === 'update' && line.kind === 'thought')?.update.content.text,
    ).toContain('Keep notes of the work');
    expect(await readFile(join(root, 'NOTES.md'), 'utf8')).toBe(NOTES_TEXT);
    expect(await readFile(join(root, 'APPROVED.md'), 'utf8')).toBe(APPROVED_TEXT);
  });

  it('imports nothing but node builtins, and neither does the agent bundle', async () => {
    const runner = await readFile(await acpRunnerBundle(await tempDir('imports')), 'utf8');
    const agent = await scriptedAgentBundle();
    for (const [text, builtin] of [
      [runner, 'node:child_process'],
      [agent, 'node:stream'],
    ] as const) {
      const imports = importsOf(text);
      // The pattern finds the builtins each surely imports, so it would find a package too.
      expect(imports).toContain(builtin);
      expect(imports.filter((name) => !name.startsWith('node:'))).toEqual([]);
    }
  });

  it('is written once a process, named by a hash of its content, readable by all even under umask 077', async () => {
    const dir = join(await tempDir('named'), 'runner');
    const before = process.umask(0o077);
    let path: string;
    try {
      path = await acpRunnerBundle(dir);
    } finally {
      process.umask(before);
    }
    expect(await acpRunnerBundle(dir)).toBe(path);
    expect(await readdir(dir)).toEqual([basename(path)]);
    const hash = createHash('sha256')
      .update(await readFile(path))
      .digest('hex')
      .slice(0, 16);
    expect(basename(path)).toBe(`acp-runner-${hash}.mjs`);
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('refuses a directory others may write, and builds once it is fixed', async () => {
    const dir = await tempDir('shared');
    await chmod(dir, 0o777);
    await expect(acpRunnerBundle(dir)).rejects.toThrow(/only it may write/);
    await chmod(dir, 0o755);
    expect(basename(await acpRunnerBundle(dir))).toMatch(/^acp-runner-[0-9a-f]{16}\.mjs$/);
  });
});
