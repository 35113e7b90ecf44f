import { join } from 'node:path';
import { bundleForNode } from '../../tpu/acp/node-bundle.js';
import { REPO_ROOT } from './repo-paths.js';

/**
 * The TEXT of test/support/scripted-acp-agent.ts as one self-contained ESM file: tests commit it
 * into a repository as `.agent/agent.mjs` and run it with plain `node`, where no node_modules is.
 */
export function scriptedAgentBundle(): Promise<string> {
  return bundleForNode(join(REPO_ROOT, 'test', 'support', 'scripted-acp-agent.ts'));
}
