import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PREBUILT_BUNDLE, buildWorkflowBundle } from './workflow-bundle.js';

/** `npm run build:workflows`: bundle once so production workers start without webpack. */
const { code } = await buildWorkflowBundle();
await mkdir(dirname(PREBUILT_BUNDLE), { recursive: true });
await writeFile(PREBUILT_BUNDLE, code);
console.log(`workflow bundle written to ${PREBUILT_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB)`);
