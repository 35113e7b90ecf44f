import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';
import { codecKeyFile, loadOrCreateCodecKey } from '../../runtime/temporal-codec-key.js';
import { loadTemporalTls, temporalTlsFromEnv } from '../../runtime/temporal-tls.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tevis-security-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Temporal codec key', () => {
  it('is made once under TEVIS_HOME, mode 0600, and read back the same', async () => {
    const home = join(dir, 'home');
    const key = await loadOrCreateCodecKey(home, undefined);
    expect(key.length).toBe(32);
    expect((await stat(codecKeyFile(home))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o077).toBe(0);
    expect((await loadOrCreateCodecKey(home, undefined)).equals(key)).toBe(true);
  });

  it('comes from TEVIS_TEMPORAL_CODEC_KEY when set (shared by hosts), and must be 32 bytes', async () => {
    const shared = randomBytes(32);
    const home = join(dir, 'shared');
    expect((await loadOrCreateCodecKey(home, shared.toString('base64'))).equals(shared)).toBe(true);
    await expect(loadOrCreateCodecKey(home, randomBytes(16).toString('base64'))).rejects.toThrow(
      /TEVIS_TEMPORAL_CODEC_KEY must be 32 bytes/,
    );
    expect(loadConfig({ TEVIS_TEMPORAL_CODEC_KEY: 'abc' }).temporalCodecKey).toBe('abc');
  });

  it('refuses a damaged key file instead of making a new key', async () => {
    const home = join(dir, 'damaged');
    await loadOrCreateCodecKey(home, undefined);
    await writeFile(codecKeyFile(home), 'short\n');
    await expect(loadOrCreateCodecKey(home, undefined)).rejects.toThrow(/must be 32 bytes/);
    expect(await readFile(codecKeyFile(home), 'utf8')).toBe('short\n');
  });
});

describe('TLS to an external Temporal cluster', () => {
  const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';

  it('is off unless asked for, on with TEMPORAL_TLS or any TLS path', () => {
    expect(temporalTlsFromEnv({})).toBeUndefined();
    expect(temporalTlsFromEnv({ TEMPORAL_TLS: 'false' })).toBeUndefined();
    expect(temporalTlsFromEnv({ TEMPORAL_TLS: 'true' })).toMatchObject({ enabled: true });
    expect(temporalTlsFromEnv({ TEMPORAL_TLS_CA: '/ca.pem' })).toMatchObject({
      enabled: true,
      caPath: '/ca.pem',
    });
    expect(() => temporalTlsFromEnv({ TEMPORAL_TLS: 'yes please' })).toThrow(
      /TEMPORAL_TLS must be true or false/,
    );
  });

  it('wants the client certificate and its key together', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/c.pem' })).toThrow(
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
    expect(() => temporalTlsFromEnv({ TEMPORAL_TLS_KEY: '/k.pem' })).toThrow(/go together/);
  });

  it('reads and checks the files at start, naming the variable of a bad one', async () => {
    const ca = join(dir, 'ca.pem');
    const cert = join(dir, 'client.pem');
    const key = join(dir, 'client.key');
    await writeFile(ca, PEM_CERT);
    await writeFile(cert, PEM_CERT);
    await writeFile(key, PEM_KEY);
    const tls = await loadTemporalTls(
      temporalTlsFromEnv({
        TEMPORAL_TLS_CA: ca,
        TEMPORAL_TLS_CERT: cert,
        TEMPORAL_TLS_KEY: key,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    expect(tls?.serverRootCACertificate?.toString()).toBe(PEM_CERT);
    expect(tls?.clientCertPair?.key.toString()).toBe(PEM_KEY);
    expect(tls?.serverNameOverride).toBe('temporal.internal');
    await expect(
      loadTemporalTls(temporalTlsFromEnv({ TEMPORAL_TLS_CA: join(dir, 'missing.pem') })),
    ).rejects.toThrow(/TEMPORAL_TLS_CA: cannot read .*missing\.pem \(ENOENT\)/);
    await expect(
      loadTemporalTls(temporalTlsFromEnv({ TEMPORAL_TLS_CERT: key, TEMPORAL_TLS_KEY: key })),
    ).rejects.toThrow(/TEMPORAL_TLS_CERT: .* is not a PEM file/);
    expect(await loadTemporalTls(temporalTlsFromEnv({ TEMPORAL_TLS: 'true' }))).toEqual({});
  });
});
