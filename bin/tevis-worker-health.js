#!/usr/bin/env node
// A container's health check of `tevis worker` (runtime/worker-health.ts): exit 0 when it polls its
// task queue, 1 with the reason otherwise. See bin/tevis.js for why tsx.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = join(dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
register({ tsconfig: join(root, 'tsconfig.json') });
const { checkWorkerHealth } = await import(pathToFileURL(join(root, 'runtime', 'worker-health.ts')).href);
const health = await checkWorkerHealth();
(health.healthy ? process.stdout : process.stderr).write(`${health.detail}\n`);
process.exit(health.healthy ? 0 : 1);
