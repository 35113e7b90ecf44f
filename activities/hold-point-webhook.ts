import { createHmac } from 'node:crypto';

export interface HoldPointWebhook {
  url: string;
  /** Stable per event, so a receiver can drop a delivery it already has (deliveries may repeat). */
  deliveryId: string;
  event: 'holdpoint.opened' | 'holdpoint.resolved';
  payload: Record<string, unknown>;
}

export const SIGNATURE_HEADER = 'x-tevis-signature-256';

/** `sha256=<hex HMAC-SHA256 of the exact body>`, as receivers recompute it with the shared secret. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Tells the project's webhook that a hold point opened or was resolved. The secret comes from
 * the worker's environment (TEVIS_WEBHOOK_SECRET) and is never stored or logged. Best effort:
 * the answer is reported, and a failed delivery never holds up the nanocycle.
 */
export async function deliverHoldPointWebhook(
  hook: HoldPointWebhook,
  secret = process.env.TEVIS_WEBHOOK_SECRET,
): Promise<{ delivered: boolean; status: number | null; error: string | null }> {
  const body = JSON.stringify({ event: hook.event, deliveryId: hook.deliveryId, ...hook.payload });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-tevis-event': hook.event,
    'x-tevis-delivery': hook.deliveryId,
  };
  if (secret) headers[SIGNATURE_HEADER] = signWebhookBody(secret, body);
  try {
    const response = await fetch(hook.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(5000),
      redirect: 'error',
    });
    await response.body?.cancel();
    return {
      delivered: response.ok,
      status: response.status,
      error: response.ok ? null : `answered ${response.status}`,
    };
  } catch (error) {
    return { delivered: false, status: null, error: (error as Error).message };
  }
}
