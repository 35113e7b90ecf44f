import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout the tests run in, and the package's bins as a user runs them. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEVIS_BIN = join(REPO_ROOT, 'bin', 'tevis.js');
export const TEVIS_LOCAL_BIN = join(REPO_ROOT, 'bin', 'tevis-local.js');
