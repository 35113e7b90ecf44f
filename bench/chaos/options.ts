import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { FaultKind } from './fault-plan.js';

export interface ChaosOptions {
  sessions: number;
  nanocycles: number;
  /** Numbered lines each nanocycle prints, half a second apart. */
  lines: number;
  seed: number;
  executor: 'sandbox' | 'docker';
  faults: Record<FaultKind, number>;
  /** Seeded pause between one fault's end and the next (ms, min and max). */
  gapMs: [number, number];
  /** The projects' `hostLostSeconds`: how long a host serves nothing before its sessions move. */
  hostLostSeconds: number;
  /** The whole run gives up after this long: a hang, not a result. */
  limitSeconds: number;
  json: boolean;
}

/** Small enough to run in about 3 minutes on two shared cores. */
export const DEFAULT_OPTIONS: Omit<ChaosOptions, 'seed'> = {
  sessions: 4,
  nanocycles: 3,
  lines: 8,
  executor: 'sandbox',
  faults: { 'worker-kill': 2, 'api-kill': 1, 'temporal-restart': 1, 'postgres-restart': 1, 'host-lost': 1 },
  gapMs: [2000, 6000],
  // Longer than a killed worker takes to come back, so only a host lost for good moves sessions.
  hostLostSeconds: 20,
  limitSeconds: 900,
  json: false,
};

const COUNT_FLAGS = {
  'worker-kills': 'worker-kill',
  'api-kills': 'api-kill',
  'temporal-restarts': 'temporal-restart',
  'postgres-restarts': 'postgres-restart',
  'hosts-lost': 'host-lost',
} as const satisfies Record<string, FaultKind>;

export const USAGE = `npm run chaos -- [--sessions N] [--nanocycles M] [--lines L] [--seed S]
  [--executor sandbox|docker] [--worker-kills K] [--api-kills K] [--temporal-restarts K]
  [--postgres-restarts K] [--hosts-lost 0|1] [--host-lost-seconds T] [--limit-seconds T] [--json]`;

/** The run's options from its command line; an error names the flag and what it takes. */
export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sessions: { type: 'string' },
      nanocycles: { type: 'string' },
      lines: { type: 'string' },
      seed: { type: 'string' },
      executor: { type: 'string' },
      'limit-seconds': { type: 'string' },
      'host-lost-seconds': { type: 'string' },
      json: { type: 'boolean' },
      ...Object.fromEntries(Object.keys(COUNT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const count = (flag: string, fallback: number, min = 0): number => {
    const raw = values[flag as keyof typeof values];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${flag} takes a whole number ≥ ${min}, got "${raw}"`);
    return n;
  };
  const executor = values.executor ?? DEFAULT_OPTIONS.executor;
  if (executor !== 'sandbox' && executor !== 'docker')
    throw new Error(`--executor takes sandbox or docker, got "${executor}"`);
  const faults = { ...DEFAULT_OPTIONS.faults };
  for (const [flag, kind] of Object.entries(COUNT_FLAGS)) faults[kind] = count(flag, faults[kind]);
  // Two hosts: one may be lost, and the other carries the run on.
  if (faults['host-lost'] > 1) throw new Error(`--hosts-lost takes 0 or 1, got "${faults['host-lost']}"`);
  return {
    ...DEFAULT_OPTIONS,
    sessions: count('sessions', DEFAULT_OPTIONS.sessions, 1),
    nanocycles: count('nanocycles', DEFAULT_OPTIONS.nanocycles, 1),
    lines: count('lines', DEFAULT_OPTIONS.lines, 1),
    seed: count('seed', randomInt(2 ** 31)),
    executor,
    faults,
    hostLostSeconds: count('host-lost-seconds', DEFAULT_OPTIONS.hostLostSeconds, 5),
    limitSeconds: count('limit-seconds', DEFAULT_OPTIONS.limitSeconds, 1),
    json: values.json ?? false,
  };
}
