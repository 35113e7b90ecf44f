#!/usr/bin/env node
// Launcher for the `tevis-local` bin (local checks without the API); see bin/tevis.js for why tsx.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
register({ tsconfig: join(root, 'tsconfig.json') });
await import(pathToFileURL(join(root, 'cli', 'local-main.ts')).href);
