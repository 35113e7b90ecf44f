import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGitFixture, SMALL_REPOSITORY } from '../../test/support/git-fixtures.js';
import { checksOf } from './checks.js';
import { figuresOf } from './figures.js';
import { planFaults } from './fault-plan.js';
import { runFaults } from './faults.js';
import { endSession, projectName, runSessionLoad } from './load.js';
import type { ChaosOptions } from './options.js';
import { readRecord } from './record.js';
import type { ChaosReport } from './report.js';
import { callThroughFaults } from './retrying-calls.js';
import { seededRandom } from './seeded-random.js';
import { startChaosStack, WORKERS } from './stack.js';

/**
 * The chaos run: its own stack, N sessions × M nanocycles, the seeded faults while they run,
 * every session ended, then the record read back and checked. `log` gets progress lines.
 */
export async function runChaos(
  root: string,
  options: ChaosOptions,
  log: (line: string) => void,
): Promise<ChaosReport> {
  const started = performance.now();
  const plan = planFaults(seededRandom(options.seed), options.faults, WORKERS, options.gapMs);
  log(`chaos: seed ${options.seed}; faults in order: ${plan.map((f) => f.kind).join(', ') || 'none'}`);
  const stack = await startChaosStack(root, options);
  let ok = false;
  try {
    log(`chaos: stack up under ${stack.dir}`);
    const repo = await makeGitFixture(join(stack.dir, 'repo'), { only: SMALL_REPOSITORY });
    const execution = {
      holdMerge: false,
      hostLostSeconds: options.hostLostSeconds,
      ...(stack.image ? { image: stack.image } : {}),
    };
    for (let i = 0; i < options.sessions; i++) {
      const project = { name: projectName(i), repository: repo.fileUrl, execution };
      await callThroughFaults(stack.http, 'POST', '/projects', project, 201);
    }

    let loadRunning = true;
    let firstQueued!: () => void;
    const loadStarted = new Promise<void>((resolve) => (firstQueued = resolve));
    const loads = Promise.all(
      Array.from({ length: options.sessions }, (_, i) =>
        runSessionLoad(stack.http, projectName(i), options.nanocycles, options.lines, firstQueued),
      ),
    ).finally(() => {
      loadRunning = false;
      firstQueued();
      log('chaos: every nanocycle is over');
    });
    const faulting = loadStarted.then(() => runFaults(stack, plan, () => loadRunning, log));
    const [sessions, faults] = await Promise.all([loads, faulting]);

    await Promise.all(
      sessions.map((s) => endSession(stack.http, s.id).catch((e) => (s.error ??= String(e)))),
    );
    // The streams end with their sessions; one still open after the hang bound is stopped and checked.
    const bound = setTimeout(() => {
      for (const s of sessions) s.follower.stop();
    }, 120_000);
    await Promise.all(sessions.map((s) => s.follower.done));
    clearTimeout(bound);
    log('chaos: every session ended; reading the record');

    const records = await Promise.all(sessions.map((s) => readRecord(stack.http, s)));
    const figures = figuresOf(options, records, faults);
    const unplannedExits = [stack.api, ...stack.workers].flatMap((p) => p.unplannedExits);
    const loadErrors = sessions.flatMap((s) => (s.error ? [`${s.id}: ${s.error}`] : []));
    const checks = checksOf(options, figures, unplannedExits, loadErrors);
    ok = checks.every((c) => c.ok);
    return {
      seed: options.seed,
      options,
      seconds: (performance.now() - started) / 1000,
      figures,
      checks,
      ok,
      unplannedExits,
      loadErrors,
      dir: stack.dir,
    };
  } finally {
    await stack.stop();
    if (ok) await rm(stack.dir, { recursive: true, force: true });
    else
      for (const p of [stack.api, ...stack.workers])
        await writeFile(join(stack.dir, `${p.name}.log`), p.log()).catch(() => {});
  }
}
