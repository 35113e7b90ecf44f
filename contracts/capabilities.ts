import type { SessionType } from './session-types.js';

/**
 * What each session type may do. Checked by the API before any action and by the
 * session workflow's update validators, so a refused action changes nothing.
 */
export const CAPABILITIES = [
  'code:view',
  'file:edit',
  'code:execute',
  'nanocycle:create',
  'diff:review',
  'merge:approve',
  'plan:draft',
  'context:edit',
  'memory:browse',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const SESSION_CAPABILITIES: Record<SessionType, readonly Capability[]> = {
  development: ['code:view', 'file:edit', 'code:execute', 'nanocycle:create', 'memory:browse'],
  review: ['code:view', 'diff:review', 'merge:approve', 'memory:browse'],
  planning: ['code:view', 'plan:draft', 'context:edit', 'memory:browse'],
};

export function sessionCan(type: SessionType, capability: Capability): boolean {
  return SESSION_CAPABILITIES[type].includes(capability);
}

/** The types that do allow `capability`, for an error message that names the fix. */
export function typesAllowing(capability: Capability): SessionType[] {
  return (Object.keys(SESSION_CAPABILITIES) as SessionType[]).filter((type) => sessionCan(type, capability));
}
