import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HOLD_POINT_KINDS, NANOCYCLE_STATUSES } from '../contracts/nanocycle.js';
import { SESSION_STATUSES } from '../contracts/session-types.js';
import type { Database } from '../db/database.js';
import {
  countNanocyclesByStatus,
  countSessionsByStatus,
  countWaitingHoldPoints,
} from '../db/metrics-store.js';

/**
 * The series `/metrics` serves, in a registry of this API's own: tests run several APIs in one
 * process, and prom-client's global registry would refuse the second one's series. The record's
 * series are read from the database when scraped (db/metrics-store.ts); the request latency
 * histogram is fed by api/metrics-middleware.ts.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly sessions: Gauge<'status'>;
  private readonly nanocycles: Gauge<'status'>;
  private readonly holdPointsWaiting: Gauge<'kind'>;
  private readonly oldestHoldPointAge: Gauge<'kind'>;
  private readonly tpuSeconds: Counter;

  constructor(private readonly db: Database) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'tevis_http_request_duration_seconds',
      help: 'Time the API took to answer a request (an event stream: until it starts), by method, route pattern (e.g. /sessions/:id; "unmatched" when no route matched) and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.sessions = new Gauge({
      name: 'tevis_sessions',
      help: 'Sessions in the record, by status.',
      labelNames: ['status'],
      registers,
    });
    this.nanocycles = new Gauge({
      name: 'tevis_nanocycles',
      help: 'Nanocycles in the record, by status.',
      labelNames: ['status'],
      registers,
    });
    this.holdPointsWaiting = new Gauge({
      name: 'tevis_hold_points_waiting',
      help: 'Hold points waiting for a decision (pending), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.oldestHoldPointAge = new Gauge({
      name: 'tevis_hold_point_oldest_wait_seconds',
      help: 'Seconds the oldest waiting hold point of each kind has waited; absent for a kind with none waiting.',
      labelNames: ['kind'],
      registers,
    });
    this.tpuSeconds = new Counter({
      name: 'tevis_tpu_seconds_total',
      help: "TPU seconds used by every nanocycle in the record, from the nanocycles' tpuSeconds.",
      registers,
    });
  }

  /** The text a scrape answers: the record read now, with the process and latency series. */
  async render(): Promise<string> {
    const [sessions, nanocycles, holds] = await Promise.all([
      countSessionsByStatus(this.db),
      countNanocyclesByStatus(this.db),
      countWaitingHoldPoints(this.db),
    ]);
    // Every known status and kind is reported, at 0 when none: a series that comes and goes
    // would read as missing data instead of none.
    setAll(this.sessions, 'status', SESSION_STATUSES, sessions);
    setAll(this.nanocycles, 'status', NANOCYCLE_STATUSES, nanocycles);
    setAll(
      this.holdPointsWaiting,
      'kind',
      HOLD_POINT_KINDS,
      holds.map((h) => ({ status: h.kind, count: h.count })),
    );
    this.oldestHoldPointAge.reset();
    for (const h of holds) this.oldestHoldPointAge.set({ kind: h.kind }, h.oldestAgeSeconds);
    this.tpuSeconds.reset();
    this.tpuSeconds.inc(nanocycles.reduce((sum, n) => sum + n.tpuSeconds, 0));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function setAll<L extends string>(
  gauge: Gauge<L>,
  label: L,
  known: readonly string[],
  counts: Array<{ status: string; count: number }>,
): void {
  gauge.reset();
  for (const value of known) gauge.set({ [label]: value } as Record<L, string>, 0);
  for (const { status, count } of counts) gauge.set({ [label]: status } as Record<L, string>, count);
}
