import { fileURLToPath } from 'node:url';
import type { DataConverter, TLSConfig } from '@temporalio/client';
import type { TevisConfig } from './config.js';
import { PayloadSealingCodec } from './payload-sealing-codec.js';
import { loadOrCreateCodecKey } from './temporal-codec-key.js';
import { loadTemporalTls } from './temporal-tls.js';

/** Failure messages and stack traces sealed like payloads; the workflow bundle is built with it too. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** What every Tevis Temporal client and worker connects with: the sealing codec and TLS. */
export interface TemporalSecurity {
  codec: PayloadSealingCodec;
  dataConverter: DataConverter;
  tls: TLSConfig | undefined;
  /** The same key, answering the Web UI: payloads it did not seal are shown as they are. */
  uiCodec: PayloadSealingCodec;
}

export async function loadTemporalSecurity(
  config: Pick<TevisConfig, 'home' | 'temporalCodecKey' | 'temporalTls'>,
): Promise<TemporalSecurity> {
  const key = await loadOrCreateCodecKey(config.home, config.temporalCodecKey);
  const codec = new PayloadSealingCodec(key, 'mark');
  return {
    codec,
    dataConverter: { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH },
    tls: await loadTemporalTls(config.temporalTls),
    uiCodec: new PayloadSealingCodec(key, 'keep'),
  };
}
