import { createProgram } from './program.js';
import { runCommandLine } from './run-command-line.js';

/** The `tevis` entry point (bin/tevis.js loads it through tsx). */
await runCommandLine(createProgram(), 'tevis');
