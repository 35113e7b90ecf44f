import type { TevisConfig } from '../runtime/config.js';
import type { UpHandle } from '../runtime/up.js';
import type { BenchResults } from './bench-results.js';

/** What every figure gets: the running stack, a fixture repository and where to report. */
export interface BenchContext {
  tevis: UpHandle;
  /** The stack's configuration: a figure that talks to Temporal itself connects as the API does. */
  config: TevisConfig;
  /** An authenticated JSON call to the API; throws on a non-2xx answer. */
  call: (method: string, path: string, body?: unknown) => Promise<any>;
  token: string;
  /** A scratch folder, removed at the end. */
  work: string;
  /** A bare repository of 200 small files (the project `bench` points at it). */
  remote: string;
  git: (args: string[], cwd?: string) => Buffer;
  rounds: number;
  requests: number;
  results: BenchResults;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the session until it is active (a fresh session), for figures that need one. */
export async function activeSession(ctx: BenchContext, project = 'bench'): Promise<string> {
  const id = (await ctx.call('POST', '/sessions', { project })).id as string;
  for (;;) {
    const { session } = await ctx.call('GET', `/sessions/${id}`);
    if (session.status === 'active') return id;
    await pause(20);
  }
}
