import { createLocalProgram } from './local-program.js';
import { runCommandLine } from './run-command-line.js';

/** The `tevis-local` entry point (bin/tevis-local.js); errors as `tevis` prints them. */
await runCommandLine(createLocalProgram(), 'tevis-local');
