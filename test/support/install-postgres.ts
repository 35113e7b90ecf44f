import { spawn } from 'node:child_process';
import { findPostgresBinDir } from './postgres-binaries.js';

/**
 * Installs Debian's PostgreSQL server when its binaries are missing, so a fresh CI machine can
 * run the integration suites. Only as root: elsewhere startPostgresCluster's error tells the
 * developer what to install, rather than the tests asking for a password.
 */
export async function installPostgresIfMissing(onProgress?: (msg: string) => void): Promise<void> {
  if (await findPostgresBinDir()) return;
  if (process.getuid?.() !== 0) return;
  onProgress?.('PostgreSQL binaries missing: running apt-get update && apt-get install -y postgresql');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], env);
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], env);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.trim()}`)),
    );
  });
}
