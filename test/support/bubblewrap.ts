import { aptInstall, onPath } from './docker-engine.js';

/**
 * bwrap for the sandbox executor's tests: Debian's bubblewrap, installed when missing (as root;
 * elsewhere the error says what to install), like docker-engine.ts does with docker.io.
 */
export async function ensureBubblewrap(): Promise<string> {
  let bwrap = onPath('bwrap');
  if (!bwrap) {
    await aptInstall('bubblewrap', 'bwrap is missing');
    bwrap = onPath('bwrap');
  }
  if (!bwrap) throw new Error('bwrap is still missing after installing bubblewrap');
  return bwrap;
}
