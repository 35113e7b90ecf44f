import { between, type Random } from './seeded-random.js';

/** What the chaos run does to the stack, one fault at a time. */
/** `host-lost`: a worker host killed and its home deleted, never started again (faults.ts). */
export const FAULT_KINDS = [
  'worker-kill',
  'api-kill',
  'temporal-restart',
  'postgres-restart',
  'host-lost',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** Pause before it, after the fault before it was over (ms). */
  gapMs: number;
  /** How long the part stays down before it is started again (ms). */
  downMs: number;
  /** Which worker (index) a worker fault hits. */
  worker: number;
}

/** The faults in a seeded order, each with a seeded pause before it and a seeded time down. */
export function planFaults(
  random: Random,
  counts: Record<FaultKind, number>,
  workers: number,
  gapMs: [number, number],
): PlannedFault[] {
  const kinds = FAULT_KINDS.flatMap((kind) => Array<FaultKind>(counts[kind]).fill(kind));
  // Fisher–Yates with the seeded source: the order is the seed's.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = between(random, 0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds.map((kind) => ({
    kind,
    gapMs: between(random, gapMs[0], gapMs[1]),
    downMs: between(random, 500, 2500),
    worker: between(random, 0, workers - 1),
  }));
}
