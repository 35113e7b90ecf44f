import type { Session } from '../contracts/session.js';
import type { SessionLiveState } from '../contracts/session-state.js';

/**
 * Response shapes that only exist as route schemas inside api/ (the payloads themselves come
 * from contracts/). Kept as types here so the CLI does not import the server.
 */

export interface SessionWithState {
  session: Session;
  state: SessionLiveState;
}

export interface SwitchResult {
  session: Session;
  resumed: boolean;
  paused: string | null;
}

export interface RecoverResult {
  session: Session;
  recovered: boolean;
  message: string;
}

export interface Health {
  status: 'ok';
  version: string;
}

export interface ServiceCheck {
  status: 'ok' | 'unavailable';
  detail: string;
  latencyMs: number;
}

export const SERVICE_NAMES = ['api', 'worker', 'temporal', 'database', 'containerEngine'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceStatus {
  status: 'ok' | 'degraded';
  services: Record<ServiceName, ServiceCheck>;
}
