import { describe, expect, it } from 'vitest';
import { hostTaskQueue } from '../../contracts/worker-hosts.js';
import { workerHostFromEnv } from '../../runtime/worker-host-name.js';

describe("a worker host's name (TEVIS_WORKER_HOST)", () => {
  it('unset: the machine and a digest of the home, so one home is one host and two homes are two', () => {
    const a = workerHostFromEnv({}, '/srv/tevis/a');
    expect(a).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}$/);
    expect(workerHostFromEnv({ TEVIS_WORKER_HOST: '' }, '/srv/tevis/a')).toBe(a);
    expect(workerHostFromEnv({}, '/srv/tevis/b')).not.toBe(a);
  });

  it('set: taken as it is, and a name no task queue should carry is refused with the rule', () => {
    expect(workerHostFromEnv({ TEVIS_WORKER_HOST: 'worker-a' }, '/srv/tevis/a')).toBe('worker-a');
    expect(hostTaskQueue('tevis', 'worker-a')).toBe('tevis@worker-a');
    for (const bad of ['-a', 'a b', 'a@b', 'x'.repeat(64)])
      expect(() => workerHostFromEnv({ TEVIS_WORKER_HOST: bad }, '/h')).toThrow(
        /TEVIS_WORKER_HOST must be 1-63 of A-Z a-z 0-9 \. _ -/,
      );
  });
});
