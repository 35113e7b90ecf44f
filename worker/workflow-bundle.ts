import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../runtime/temporal-security.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const WORKFLOWS_ENTRY = join(root, 'workflows', 'index.ts');
/** Written by `npm run build:workflows`; a worker that finds it skips the bundling step. */
export const PREBUILT_BUNDLE = join(root, '.cache', 'workflow-bundle.js');

export async function buildWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  // The failure converter must be the workers' and clients' own (messages sealed, see runtime/failure-converter.cjs).
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_ENTRY,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
}

async function newestSourceMtime(): Promise<number> {
  let newest = 0;
  for (const dir of ['workflows', 'contracts', 'runtime']) {
    for (const file of await readdir(join(root, dir), { recursive: true })) {
      if (file.endsWith('.ts') || file.endsWith('.cjs'))
        newest = Math.max(newest, (await stat(join(root, dir, file))).mtimeMs);
    }
  }
  return newest;
}

/** The prebuilt bundle when present and newer than every workflow source, else a fresh one. */
export async function loadWorkflowBundle(): Promise<{ code: string }> {
  if (existsSync(PREBUILT_BUNDLE) && (await stat(PREBUILT_BUNDLE)).mtimeMs > (await newestSourceMtime())) {
    return { code: await readFile(PREBUILT_BUNDLE, 'utf8') };
  }
  return buildWorkflowBundle();
}
