#!/usr/bin/env node
// Launcher for the `tevis` bin. The CLI is TypeScript run through tsx, so there is no build step
// between a change and the next run. Paths come from this file's real location, so it works as
// `node bin/tevis.js`, as `npx tevis`, and through the symlink npm puts in node_modules/.bin.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
// Our tsconfig, not whatever tsconfig.json happens to be in the directory tevis is run from.
register({ tsconfig: join(root, 'tsconfig.json') });
await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
