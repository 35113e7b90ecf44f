import { z } from 'zod';
import { Session } from './session.js';
import { SessionLiveState } from './session-state.js';
import { WorkerHostStatus } from './worker-hosts.js';

/** Response shapes of the API beyond the payloads themselves, for the API and the CLI alike. */

export const SessionWithState = z
  .object({ session: Session, state: SessionLiveState })
  .meta({ id: 'SessionWithState' });
export type SessionWithState = z.infer<typeof SessionWithState>;

/** `paused`: the session the switch paused (the project's active one), or null; `message` says what happened. */
export const SwitchResult = z
  .object({ session: Session, resumed: z.boolean(), paused: z.string().nullable(), message: z.string() })
  .meta({ id: 'SwitchResult' });
export type SwitchResult = z.infer<typeof SwitchResult>;

export const RecoverResult = z
  .object({ session: Session, recovered: z.boolean(), message: z.string() })
  .meta({ id: 'RecoverResult' });
export type RecoverResult = z.infer<typeof RecoverResult>;

export const Health = z.object({ status: z.literal('ok'), version: z.string() });
export type Health = z.infer<typeof Health>;

export const ServiceCheck = z.object({
  status: z.enum(['ok', 'unavailable']),
  detail: z.string(),
  latencyMs: z.number(),
});
export type ServiceCheck = z.infer<typeof ServiceCheck>;

export const SERVICE_NAMES = ['api', 'worker', 'temporal', 'database', 'containerEngine'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const ServiceStatus = z
  .object({
    status: z.enum(['ok', 'degraded']),
    services: z.object(
      Object.fromEntries(SERVICE_NAMES.map((n) => [n, ServiceCheck])) as Record<
        ServiceName,
        typeof ServiceCheck
      >,
    ),
    /** Worker hosts (contracts/worker-hosts.ts) and the open sessions each holds. */
    hosts: z.array(WorkerHostStatus).optional(),
  })
  .meta({ id: 'ServiceStatus' });
export type ServiceStatus = z.infer<typeof ServiceStatus>;
