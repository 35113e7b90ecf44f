import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium for the end-to-end tests, driven by playwright-core (which downloads no
 * browser of its own). Installed with apt when missing (as root; elsewhere the error says what to
 * install). The flags keep it off the network: this machine's closed network refuses the
 * connections Chromium makes in the background at every start.
 */
export const CHROMIUM = process.env.TEVIS_CHROMIUM || '/usr/bin/chromium';

const progress = (msg: string) => console.log(`[tevis test] ${msg}`);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.trim()}`)),
    );
  });
}

export async function installChromiumIfMissing(): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0)
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\` (or set TEVIS_CHROMIUM)`,
    );
  progress('chromium is missing: apt-get install -y chromium');
  await run('apt-get', ['update']);
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`chromium installed, yet ${CHROMIUM} is missing`);
  return CHROMIUM;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = await installChromiumIfMissing();
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
