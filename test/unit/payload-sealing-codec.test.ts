import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { isUnsealed } from '../../contracts/sealed-commands.js';
import { PayloadSealingCodec, SEALED_ENCODING } from '../../runtime/payload-sealing-codec.js';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();
const value = {
  repository: 'file:///srv/secret-repo.git',
  branch: 'feat/hidden',
  goal: 'rotate the launch codes',
};

describe('the payload sealing codec (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const codec = new PayloadSealingCodec(key);

  it('round-trips a payload, and the sealed form shows nothing of it', async () => {
    const plain = defaultPayloadConverter.toPayload(value);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(SEALED_ENCODING);
    const raw =
      Buffer.from(sealed!.data!).toString('latin1') +
      JSON.stringify(Object.values(sealed!.metadata!).map(text));
    for (const secret of [value.repository, value.branch, value.goal, 'secret', 'json/plain'])
      expect(raw).not.toContain(secret);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(value);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
  });

  it('seals the same value differently each time (random IV)', async () => {
    const plain = defaultPayloadConverter.toPayload(value);
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('turns a tampered payload into the unsealed marker instead of failing', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    const [opened] = await codec.decode([{ ...sealed!, data }]);
    expect(isUnsealed(defaultPayloadConverter.fromPayload(opened!))).toBe(true);
  });

  it('turns a payload sealed with another key, or plaintext, into the marker', async () => {
    const [foreign] = await new PayloadSealingCodec(randomBytes(32)).encode([
      defaultPayloadConverter.toPayload(value),
    ]);
    const plain: Payload = defaultPayloadConverter.toPayload({
      holdPointId: 'HP-001-merge',
      decision: 'approve',
    });
    const absent: Payload = defaultPayloadConverter.toPayload(undefined);
    for (const payload of await codec.decode([foreign!, plain, absent])) {
      expect(isUnsealed(defaultPayloadConverter.fromPayload(payload))).toBe(true);
    }
  });

  it('for the Web UI: keeps what it did not seal as it came', async () => {
    const ui = new PayloadSealingCodec(key, 'keep');
    const plain = defaultPayloadConverter.toPayload('shown as is');
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    const [kept, opened] = await ui.decode([plain, sealed!]);
    expect(kept).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(value);
  });

  it('wants a 32-byte key', () => {
    expect(() => new PayloadSealingCodec(randomBytes(16))).toThrow(/32 bytes/);
  });
});
