import type { HoldPointRecord, TevisApiClient } from './api-client.js';

/** The pending hold point of a nanocycle, if any (for the hint after a merge or a status). */
export async function pendingHoldOf(
  client: TevisApiClient,
  sessionId: string,
  nanocycleId: string,
): Promise<HoldPointRecord | null> {
  try {
    return (
      (await client.listHoldPoints(sessionId)).find(
        (h) => h.nanocycleId === nanocycleId && h.status === 'pending',
      ) ?? null
    );
  } catch {
    // Only a hint depends on it.
    return null;
  }
}
