import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';

/**
 * TLS (and mTLS) to an external Temporal cluster, from the environment. Paths, not PEM text, so
 * no certificate or key ever sits in an environment dump. Absent settings: plaintext, which is
 * what the embedded dev server on loopback speaks.
 */
export interface TemporalTlsSettings {
  /** `TEMPORAL_TLS=true`: TLS with the system's CAs, no client certificate. */
  enabled: boolean;
  caPath?: string;
  certPath?: string;
  keyPath?: string;
  serverName?: string;
}

export function temporalTlsFromEnv(env: NodeJS.ProcessEnv): TemporalTlsSettings | undefined {
  const caPath = env.TEMPORAL_TLS_CA || undefined;
  const certPath = env.TEMPORAL_TLS_CERT || undefined;
  const keyPath = env.TEMPORAL_TLS_KEY || undefined;
  const serverName = env.TEMPORAL_TLS_SERVER_NAME || undefined;
  const flag = (env.TEMPORAL_TLS ?? '').toLowerCase();
  if (flag && !['true', 'false', '1', '0'].includes(flag))
    throw new Error(`TEMPORAL_TLS must be true or false, got "${env.TEMPORAL_TLS}"`);
  const enabled = flag === 'true' || flag === '1' || Boolean(caPath || certPath || keyPath || serverName);
  if (!enabled) return undefined;
  if (Boolean(certPath) !== Boolean(keyPath))
    throw new Error(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its key, for mTLS); set both or neither',
    );
  return { enabled, caPath, certPath, keyPath, serverName };
}

async function readPem(path: string, variable: string, label: RegExp): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    throw new Error(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (!label.test(pem.toString('latin1')))
    throw new Error(`${variable}: ${path} is not a PEM file of the expected kind`);
  return pem;
}

/** The SDK's TLS options (Connection and NativeConnection take the same), files read and checked. */
export async function loadTemporalTls(
  settings: TemporalTlsSettings | undefined,
): Promise<TLSConfig | undefined> {
  if (!settings) return undefined;
  const tls: TLSConfig = {};
  if (settings.caPath)
    tls.serverRootCACertificate = await readPem(
      settings.caPath,
      'TEMPORAL_TLS_CA',
      /-----BEGIN CERTIFICATE-----/,
    );
  if (settings.certPath && settings.keyPath) {
    tls.clientCertPair = {
      crt: await readPem(settings.certPath, 'TEMPORAL_TLS_CERT', /-----BEGIN CERTIFICATE-----/),
      key: await readPem(settings.keyPath, 'TEMPORAL_TLS_KEY', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    };
  }
  if (settings.serverName) tls.serverNameOverride = settings.serverName;
  return tls;
}
