import type { HoldPointResolve, NanocycleCreate, NanocycleMerge } from '../contracts/nanocycle.js';
import type {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
  SessionLogLine,
} from '../contracts/nanocycle-records.js';
import type { Project, ProjectCreate, ProjectUpdate } from '../contracts/project.js';
import type { ReviewDecision, ReviewState, ReviewView } from '../contracts/review.js';
import type { HoldPointBrief, NanocycleBrief } from '../contracts/session-state.js';
import {
  SESSION_PAGE_MAX,
  type Session,
  type SessionCreate,
  type SessionPage,
} from '../contracts/session.js';
import type { SessionSummary } from '../contracts/summary.js';
import type { TimelineEvent } from '../contracts/timeline.js';
import type {
  Health,
  RecoverResult,
  ServiceStatus,
  SessionWithState,
  SwitchResult,
} from '../contracts/responses.js';
import { ApiTransport } from './api-transport.js';

export type {
  HoldPointRecord,
  LogLine,
  NanocycleDiff,
  NanocycleRecord,
  SessionLogLine,
} from '../contracts/nanocycle-records.js';

/** The Tevis HTTP API as the CLI uses it: one method per operation. */
export class TevisApiClient extends ApiTransport {
  health(): Promise<Health> {
    return this.json('GET', '/health', { auth: false });
  }

  status(): Promise<ServiceStatus> {
    return this.json('GET', '/status');
  }

  createProject(body: ProjectCreate): Promise<Project> {
    return this.json('POST', '/projects', { body });
  }

  async listProjects(): Promise<Project[]> {
    return (await this.json<{ projects: Project[] }>('GET', '/projects')).projects;
  }

  getProject(name: string): Promise<Project> {
    return this.json('GET', `/projects/${encodeURIComponent(name)}`);
  }

  updateProject(name: string, body: ProjectUpdate): Promise<Project> {
    return this.json('PATCH', `/projects/${encodeURIComponent(name)}`, { body });
  }

  createSession(body: SessionCreate): Promise<Session> {
    return this.json('POST', '/sessions', { body });
  }

  /** One page of sessions, newest first; `nextCursor` asks for the page after it. */
  listSessionPage(filter: { project?: string; all?: boolean; limit?: number; cursor?: string }) {
    const query = {
      project: filter.project,
      all: filter.all ? 'true' : undefined,
      limit: filter.limit,
      cursor: filter.cursor,
    };
    return this.json<SessionPage>('GET', '/sessions', { query });
  }

  /** Every session the filter matches, newest first, following the pages to the last. */
  async listSessions(filter: { project?: string; all?: boolean }): Promise<Session[]> {
    return (await this.listSessionsUpTo(filter, Number.POSITIVE_INFINITY)).sessions;
  }

  /** The first `max` sessions, newest first, following pages, and whether there were more. */
  async listSessionsUpTo(
    filter: { project?: string; all?: boolean },
    max: number,
  ): Promise<{ sessions: Session[]; more: boolean }> {
    const sessions: Session[] = [];
    let cursor: string | undefined;
    do {
      const limit = Math.min(SESSION_PAGE_MAX, max - sessions.length);
      const page = await this.listSessionPage({ ...filter, limit, cursor });
      sessions.push(...page.sessions);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && sessions.length < max);
    return { sessions, more: cursor !== undefined };
  }

  getSession(id: string): Promise<SessionWithState> {
    return this.json('GET', `/sessions/${encodeURIComponent(id)}`);
  }

  switchSession(id: string): Promise<SwitchResult> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/switch`, { body: {} });
  }

  pauseSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/pause`);
  }

  resumeSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/resume`);
  }

  endSession(id: string): Promise<Session> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/end`);
  }

  recoverSession(id: string): Promise<RecoverResult> {
    return this.json('POST', `/sessions/${encodeURIComponent(id)}/recover`);
  }

  summary(id: string): Promise<SessionSummary> {
    return this.json('GET', `/sessions/${encodeURIComponent(id)}/summary`);
  }

  async summaryMarkdown(id: string): Promise<string> {
    const response = await this.request('GET', `/sessions/${encodeURIComponent(id)}/summary`, {
      accept: 'text/markdown',
    });
    return response.text();
  }

  async events(id: string, after: number, limit?: number): Promise<TimelineEvent[]> {
    return (
      await this.json<{ events: TimelineEvent[] }>('GET', `/sessions/${encodeURIComponent(id)}/events`, {
        query: { after, limit },
      })
    ).events;
  }

  /** The live timeline; resumes after `lastEventId` (the last sequence number seen). */
  openEventStream(id: string, lastEventId: number, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', `/sessions/${encodeURIComponent(id)}/events/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId > 0 ? { 'last-event-id': String(lastEventId) } : {},
      signal,
    });
  }

  private nanocyclePath(sessionId: string, nanocycleId?: string): string {
    const base = `/sessions/${encodeURIComponent(sessionId)}/nanocycles`;
    return nanocycleId === undefined ? base : `${base}/${encodeURIComponent(nanocycleId)}`;
  }

  createNanocycle(sessionId: string, body: NanocycleCreate): Promise<NanocycleBrief> {
    return this.json('POST', this.nanocyclePath(sessionId), { body });
  }

  async listNanocycles(sessionId: string): Promise<NanocycleRecord[]> {
    return (await this.json<{ nanocycles: NanocycleRecord[] }>('GET', this.nanocyclePath(sessionId)))
      .nanocycles;
  }

  nanocycleDiff(sessionId: string, nanocycleId: string): Promise<NanocycleDiff> {
    return this.json('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/diff`);
  }

  cancelNanocycle(sessionId: string, nanocycleId: string): Promise<NanocycleBrief> {
    return this.json('POST', `${this.nanocyclePath(sessionId, nanocycleId)}/cancel`);
  }

  review(sessionId: string): Promise<ReviewView> {
    return this.json('GET', `/sessions/${encodeURIComponent(sessionId)}/review`);
  }

  decideReview(
    sessionId: string,
    decision: 'approve' | 'reject',
    body: ReviewDecision,
  ): Promise<ReviewState> {
    return this.json('POST', `/sessions/${encodeURIComponent(sessionId)}/review/${decision}`, { body });
  }

  mergeNanocycle(sessionId: string, nanocycleId: string, body: NanocycleMerge = {}): Promise<NanocycleBrief> {
    return this.json('POST', `${this.nanocyclePath(sessionId, nanocycleId)}/merge`, { body });
  }

  async nanocycleLogs(
    sessionId: string,
    nanocycleId: string,
    after: number,
    limit?: number,
  ): Promise<LogLine[]> {
    return (
      await this.json<{ lines: LogLine[] }>('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/logs`, {
        query: { after, limit },
      })
    ).lines;
  }

  /** The nanocycle's output live; resumes after `lastEventId` (the last line's seq). */
  openLogStream(
    sessionId: string,
    nanocycleId: string,
    lastEventId: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    return this.request('GET', `${this.nanocyclePath(sessionId, nanocycleId)}/logs/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId > 0 ? { 'last-event-id': String(lastEventId) } : {},
      signal,
    });
  }

  /** Every nanocycle's output after `after` (an output cursor, `NC-001:12,…`; '' from the start). */
  sessionOutput(
    sessionId: string,
    after: string,
    limit?: number,
  ): Promise<{ lines: SessionLogLine[]; cursor: string }> {
    return this.json('GET', `/sessions/${encodeURIComponent(sessionId)}/output`, {
      query: { after: after || undefined, limit },
    });
  }

  /** The session's output live; resumes after the output cursor `lastEventId`. */
  openOutputStream(sessionId: string, lastEventId: string, signal?: AbortSignal): Promise<Response> {
    return this.request('GET', `/sessions/${encodeURIComponent(sessionId)}/output/stream`, {
      accept: 'text/event-stream',
      headers: lastEventId ? { 'last-event-id': lastEventId } : {},
      signal,
    });
  }

  async listHoldPoints(sessionId: string): Promise<HoldPointRecord[]> {
    return (
      await this.json<{ holdPoints: HoldPointRecord[] }>(
        'GET',
        `/sessions/${encodeURIComponent(sessionId)}/holds`,
      )
    ).holdPoints;
  }

  resolveHoldPoint(
    sessionId: string,
    holdPointId: string,
    decision: 'approve' | 'reject',
    body: HoldPointResolve,
  ): Promise<HoldPointBrief> {
    return this.json(
      'POST',
      `/sessions/${encodeURIComponent(sessionId)}/holds/${encodeURIComponent(holdPointId)}/${decision}`,
      { body },
    );
  }
}
