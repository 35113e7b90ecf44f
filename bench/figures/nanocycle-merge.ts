import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { activeSession, type BenchContext, median, timeIt } from '../bench-context.js';

const author = ['-c', 'user.email=bench@tevis', '-c', 'user.name=bench'];

/**
 * A nanocycle from create to merged (sandbox executor, no merge hold point) against the git it
 * does, by hand: a worktree on a new branch, the step, a commit, a --no-ff merge.
 */
export async function benchNanocycleMerge(ctx: BenchContext): Promise<void> {
  const { call, git, work } = ctx;
  await call('PATCH', '/projects/bench', { execution: { holdMerge: false } });
  const session = await activeSession(ctx);
  const byHand = join(work, 'by-hand');
  git(['clone', '-q', '--branch', 'main', '--', ctx.remote, byHand]);
  const nanocycleTimes: number[] = [];
  const gitTimes: number[] = [];
  for (let i = 0; i < ctx.rounds; i++) {
    gitTimes.push(
      await timeIt(() => {
        const tree = join(work, `tree-${i}`);
        git(['worktree', 'add', '-q', '-b', `feat/hand-${i}`, tree, 'main'], byHand);
        execFileSync('sh', ['-c', `echo change ${i} > HAND-${i}.md`], { cwd: tree });
        git(['add', '-A'], tree);
        git([...author, 'commit', '-qm', `hand ${i}`], tree);
        git([...author, 'merge', '-q', '--no-ff', '-m', `merge ${i}`, `feat/hand-${i}`], byHand);
      }),
    );
    nanocycleTimes.push(
      await timeIt(async () => {
        const nc = await call('POST', `/sessions/${session}/nanocycles`, {
          name: `bench-${i}`,
          run: [`echo change ${i} > NC-${i}.md`],
        });
        for (;;) {
          const { nanocycles } = await call('GET', `/sessions/${session}/nanocycles`);
          const status = nanocycles.find((n: { id: string }) => n.id === nc.id)?.status;
          if (status === 'merged') break;
          if (status === 'failed' || status === 'conflict') throw new Error(`${nc.id} ended ${status}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }),
    );
  }
  await call('POST', `/sessions/${session}/end`);
  ctx.results.add({
    name: 'nanocycle create → merged',
    figure: median(nanocycleTimes),
    baselineName: 'bare git: worktree+commit+merge',
    baseline: median(gitTimes),
    unit: 'ms',
    rounds: ctx.rounds,
  });
}
