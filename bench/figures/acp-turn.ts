import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { scriptedAgentBundle } from '../../test/support/scripted-agent-bundle.js';
import { acpRunnerBundle } from '../../tpu/acp/runner-bundle.js';
import { activeSession, type BenchContext, median, pause, timeIt } from '../bench-context.js';

const author = ['-c', 'user.email=bench@tevis', '-c', 'user.name=bench'];
const AGENT = 'node .agent/agent.mjs';

/**
 * An ACP agent's turn through Tevis (sandbox executor): the scripted agent (it writes a file,
 * asks once, writes another) in a nanocycle whose `agent` hold point is approved as soon as it
 * shows, from create to merged. The baseline is the same runner and agent run by hand, the
 * answer written as soon as it asks, with the git a nanocycle does (worktree, commit, merge).
 */
export async function benchAcpTurn(ctx: BenchContext): Promise<void> {
  const { call, git, work } = ctx;
  const source = join(work, 'acp-source');
  git(['clone', '-q', '--branch', 'main', '--', ctx.remote, source]);
  mkdirSync(join(source, '.agent'));
  writeFileSync(join(source, '.agent', 'agent.mjs'), await scriptedAgentBundle());
  git(['add', '-A'], source);
  git([...author, 'commit', '-qm', 'the scripted ACP agent'], source);
  const remote = join(work, 'acp-remote.git');
  git(['clone', '-q', '--bare', source, remote]);
  const runner = await acpRunnerBundle(join(work, 'acp-runner'));
  const base = git(['rev-parse', 'HEAD'], source).toString().trim();

  const tevisTimes: number[] = [];
  const handTimes: number[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    handTimes.push(
      await timeIt(async () => {
        const tree = join(work, `acp-tree-${i}`);
        git(['worktree', 'add', '-q', '-b', `feat/acp-${i}`, tree, 'main'], source);
        await runByHand(runner, tree);
        git(['add', '-A'], tree);
        git([...author, 'commit', '-qm', `acp ${i}`], tree);
        git([...author, 'merge', '-q', '--no-ff', '-m', `merge ${i}`, `feat/acp-${i}`], source);
        // The agent writes the same files each round: each round starts from before them.
        git(['reset', '-q', '--hard', base], source);
      }),
    );
    // A project of its own each round, for the same reason: a project's next session starts
    // from the work its last one merged (not timed).
    const project = `bench-acp-${i}`;
    await call('POST', '/projects', {
      name: project,
      repository: remote,
      execution: { agent: AGENT, agentProtocol: 'acp', holdMerge: false },
    });
    const session = await activeSession(ctx, project);
    tevisTimes.push(
      await timeIt(async () => {
        const nc = await call('POST', `/sessions/${session}/nanocycles`, {
          name: `acp-${i}`,
          goal: 'Write the notes',
        });
        for (let answered = false; ; ) {
          if (!answered) {
            const { holdPoints } = await call('GET', `/sessions/${session}/holds`);
            const hold = holdPoints.find(
              (h: { nanocycleId: string; kind: string; status: string }) =>
                h.nanocycleId === nc.id && h.kind === 'agent' && h.status === 'pending',
            );
            if (hold) {
              await call('POST', `/sessions/${session}/holds/${hold.id}/approve`, {});
              answered = true;
            }
          }
          const { nanocycles } = await call('GET', `/sessions/${session}/nanocycles`);
          const status = nanocycles.find((n: { id: string }) => n.id === nc.id)?.status;
          if (status === 'merged') break;
          if (status === 'failed' || status === 'conflict') throw new Error(`${nc.id} ended ${status}`);
          await pause(10);
        }
      }),
    );
    await call('POST', `/sessions/${session}/end`);
    while ((await call('GET', `/sessions/${session}`)).session.status !== 'ended') await pause(20);
  }
  ctx.results.add({
    name: 'ACP agent turn (one question) → merged',
    figure: median(tevisTimes),
    baselineName: 'bare runner + agent + git by hand',
    baseline: median(handTimes),
    unit: 'ms',
    rounds: ctx.rounds,
  });
}

/** The runner and the agent as a process of their own, answered the moment the agent asks. */
function runByHand(runner: string, tree: string): Promise<void> {
  const child = spawn('node', [runner, '--root', tree, '--', 'sh', '-c', AGENT], {
    cwd: tree,
    env: { ...process.env, TEVIS_GOAL: 'Write the notes' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as { type: string; id?: number };
    if (line.type === 'permission')
      child.stdin.write(`${JSON.stringify({ optionId: 'allow', requestId: line.id })}\n`);
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`runner exited ${code}`)))),
  );
}
