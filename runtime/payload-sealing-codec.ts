import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { UNSEALED } from '../contracts/sealed-commands.js';

/**
 * Temporal payload codec that seals every payload with AES-256-GCM, so what a session carries
 * (repository, branch, goals, its state) is ciphertext to anyone who reads the Temporal
 * frontend without the key, and a payload nobody with the key made cannot pass for one.
 *
 * A sealed payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <key id>`;
 * data = 12-byte IV ‖ ciphertext ‖ 16-byte tag of the original payload (metadata and data,
 * as JSON). The key id (a hash prefix, not the key) tells "another key" from "tampered".
 */
export const SEALED_ENCODING = 'binary/encrypted';
const KEY_ID_FIELD = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds the ciphertext to this format: a sealed blob of another scheme never decrypts as ours.
const AAD = Buffer.from('tevis-payload-v1');

/**
 * What to do with a payload the key did not seal (plaintext, another key, tampered):
 * - `mark`: the worker and the Tevis clients turn it into the UNSEALED marker, which every
 *   handler refuses or ignores. Throwing instead would fail the workflow task, which Temporal
 *   retries forever: one plaintext signal would wedge the session.
 * - `keep`: the Web UI's decode endpoint returns it as it came (the UI shows it as it is).
 */
export type UnsealedPolicy = 'mark' | 'keep';

function codecKeyId(key: Buffer): string {
  return createHash('sha256').update('tevis-codec-key-id').update(key).digest('hex').slice(0, 16);
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const UNSEALED_PAYLOAD: Payload = {
  metadata: { encoding: utf8('json/plain') },
  data: utf8(JSON.stringify(UNSEALED)),
};

interface PlainPayloadJson {
  m: Record<string, string>;
  d: string;
}

export class PayloadSealingCodec implements PayloadCodec {
  readonly keyId: string;
  private readonly keyIdBytes: Uint8Array;

  constructor(
    private readonly key: Buffer,
    private readonly unsealed: UnsealedPolicy = 'mark',
  ) {
    if (key.length !== 32) throw new Error('the Temporal codec key must be 32 bytes (AES-256)');
    this.keyId = codecKeyId(key);
    this.keyIdBytes = utf8(this.keyId);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map(
      (payload) => this.open(payload) ?? (this.unsealed === 'mark' ? UNSEALED_PAYLOAD : payload),
    );
  }

  seal(payload: Payload): Payload {
    const plain: PlainPayloadJson = {
      m: Object.fromEntries(
        Object.entries(payload.metadata ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v ?? new Uint8Array()).toString('base64'),
        ]),
      ),
      d: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
    return {
      metadata: { encoding: utf8(SEALED_ENCODING), [KEY_ID_FIELD]: this.keyIdBytes },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  /** The original payload, or null when this key did not seal it (or it was altered since). */
  open(payload: Payload): Payload | null {
    const meta = payload.metadata ?? {};
    if (!meta.encoding || Buffer.from(meta.encoding).toString() !== SEALED_ENCODING) return null;
    if (!meta[KEY_ID_FIELD] || Buffer.from(meta[KEY_ID_FIELD]).toString() !== this.keyId) return null;
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES)).setAAD(AAD);
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const plain = JSON.parse(text) as PlainPayloadJson;
      return {
        metadata: Object.fromEntries(
          Object.entries(plain.m).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
        ),
        data: new Uint8Array(Buffer.from(plain.d, 'base64')),
      };
    } catch {
      // A failed tag check: altered, or sealed by another key with a colliding id.
      return null;
    }
  }
}
