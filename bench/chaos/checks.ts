import type { Figures } from './figures.js';
import type { ChaosOptions } from './options.js';
import type { UnplannedExit } from './supervised-process.js';

export interface Check {
  name: string;
  value: string;
  ok: boolean;
}

/** The invariants, each with its figure; a run passes when every one holds. */
export function checksOf(
  options: ChaosOptions,
  figures: Figures,
  unplanned: UnplannedExit[],
  loadErrors: string[],
): Check[] {
  const { sessions, nanocycles, runs, timeline, output, faults } = figures;
  const planned = Object.values(options.faults).reduce((a, b) => a + b, 0);
  const observed = faults.filter((f) => f.observed).length;
  const unrecovered = faults.filter((f) => f.recoverySeconds === null).length;
  const slowest = Math.max(0, ...faults.map((f) => f.recoverySeconds ?? 0));
  const reasons = Object.entries(runs.reasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const unsaid = Math.max(0, runs.startedAgain - runs.restartedEvents);
  // The sandbox cannot re-attach to a process its lost worker ran: a restart is expected there,
  // and must be said on the timeline. Docker re-attaches to the container: a restart is a defect.
  const runsOk = options.executor === 'docker' ? runs.startedAgain === 0 : unsaid === 0;
  const restartNote =
    options.executor === 'docker'
      ? `${runs.startedAgain} started again (docker re-attaches: must be 0)`
      : `${runs.startedAgain} started again, expected on the sandbox after a worker kill; ${unsaid} not said on the timeline`;
  return [
    {
      name: 'sessions ended',
      value: `${sessions.ended}/${sessions.expected}`,
      ok: sessions.ended === sessions.expected,
    },
    {
      name: 'nanocycles merged',
      value: `${nanocycles.merged}/${nanocycles.expected}`,
      ok: nanocycles.merged === nanocycles.expected,
    },
    {
      name: 'TPU runs started again',
      value: `${restartNote} (${runs.starts} run starts; run_restarted ${runs.restartedEvents}, run_reattached ${runs.reattachedEvents}; ${reasons || 'no reason given'})`,
      ok: runsOk,
    },
    {
      name: 'timeline seq gap-free 1..n',
      value: `${timeline.events} events, ${timeline.sessionsWithGaps} sessions with a gap`,
      ok: timeline.sessionsWithGaps === 0,
    },
    {
      name: 'SSE: every event once',
      value: `${timeline.streamMissing} missing, ${timeline.streamDuplicated} duplicated (${timeline.reconnects} reconnects)`,
      ok: timeline.streamMissing === 0 && timeline.streamDuplicated === 0,
    },
    {
      name: 'output lines once per run',
      value: `${output.lost} lost, ${output.duplicated} duplicated`,
      ok: output.lost === 0 && output.duplicated === 0,
    },
    {
      name: 'faults struck and seen',
      value: `${observed}/${planned}`,
      ok: observed === planned && faults.length === planned,
    },
    {
      name: 'recovered after each fault',
      value: `${faults.length - unrecovered}/${faults.length}, slowest ${slowest.toFixed(1)} s`,
      ok: unrecovered === 0,
    },
    {
      name: 'sessions moved off a lost host',
      value: `${figures.moves.moved}/${figures.moves.held} moved; ${figures.moves.restored} merged nanocycle(s) restored, ${figures.moves.lost} lost (${figures.moves.lostThoughPushed} of them pushed); ${figures.moves.nanocyclesCut} nanocycle(s) cut by the loss, queued again`,
      ok: figures.moves.moved === figures.moves.held && figures.moves.lostThoughPushed === 0,
    },
    { name: 'exits not caused by the run', value: String(unplanned.length), ok: unplanned.length === 0 },
    { name: 'load errors', value: String(loadErrors.length), ok: loadErrors.length === 0 },
  ];
}
