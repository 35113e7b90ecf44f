import { ensureProgram } from './docker-engine.js';

/**
 * bwrap for the sandbox executor's tests: Debian's bubblewrap, installed when missing (as root;
 * elsewhere the error says what to install), like docker-engine.ts does with docker.io.
 */
export function ensureBubblewrap(): Promise<string> {
  return ensureProgram('bwrap', 'bubblewrap');
}
