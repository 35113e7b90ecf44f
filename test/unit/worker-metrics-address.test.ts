import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config.js';

/** TEVIS_WORKER_METRICS_ADDRESS (runtime/worker-metrics-address.ts): off unless set, an ip:port when set. */
describe('TEVIS_WORKER_METRICS_ADDRESS', () => {
  it('is off by default', () => {
    expect(loadConfig({ TEVIS_HOME: '/tmp/x' }).workerMetricsAddress).toBeUndefined();
    expect(loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_WORKER_METRICS_ADDRESS: '' }).workerMetricsAddress).toBe(
      undefined,
    );
  });

  it.each(['127.0.0.1:9464', '0.0.0.0:9464', '[::1]:9464', '[::]:1'])('takes %s', (address) => {
    expect(
      loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_WORKER_METRICS_ADDRESS: address }).workerMetricsAddress,
    ).toBe(address);
  });

  it.each([
    'localhost:9464',
    '127.0.0.1',
    '9464',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '::1:9464',
    '[127.0.0.1]:9464',
    'http://127.0.0.1:9464',
  ])('refuses %s, naming the setting and a good value', (address) => {
    expect(() => loadConfig({ TEVIS_HOME: '/tmp/x', TEVIS_WORKER_METRICS_ADDRESS: address })).toThrow(
      /TEVIS_WORKER_METRICS_ADDRESS must be an IP address and port such as 127\.0\.0\.1:9464/,
    );
  });
});
