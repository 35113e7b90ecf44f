import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { WORKER_HOST_PATTERN } from '../contracts/worker-hosts.js';

/**
 * This worker's host name (`TEVIS_WORKER_HOST`). Unset, it is the machine's name and a digest of
 * its `TEVIS_HOME`: a host is a home, so two workers sharing one home share a host, and two homes
 * on one machine are two hosts. Containers, whose machine name changes when they are recreated,
 * must set it.
 */
export function workerHostFromEnv(env: NodeJS.ProcessEnv, home: string): string {
  const asked = env.TEVIS_WORKER_HOST;
  if (asked !== undefined && asked !== '') {
    if (!WORKER_HOST_PATTERN.test(asked))
      throw new Error(
        `TEVIS_WORKER_HOST must be 1-63 of A-Z a-z 0-9 . _ -, starting with a letter or digit, got "${asked}"`,
      );
    return asked;
  }
  const machine =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 40) || 'host';
  return `${machine}-${createHash('sha256').update(home).digest('hex').slice(0, 8)}`;
}
