import type { Command } from 'commander';
import { readApiToken } from '../runtime/api-token.js';
import { loadConfig, type TevisConfig } from '../runtime/config.js';
import { TevisApiClient } from './api-client.js';
import { UsageError } from './errors.js';
import { createOutput, type Output } from './output.js';
import { startProgress, type Progress } from './progress.js';

/** The global flags, as every command sees them. */
export interface GlobalOptions {
  json?: boolean;
  apiUrl?: string;
}

/** What a command's action works with: configuration, output mode and the API. */
export interface CommandContext {
  json: boolean;
  out: Output;
  config: TevisConfig;
  apiUrl: string;
  client(): Promise<TevisApiClient>;
  progress(text: string, options?: { handleSignals?: boolean }): Progress;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): TevisConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    // A bad TEVIS_PORT and the like: the user's to fix, not a crash.
    throw new UsageError((error as Error).message);
  }
}

function checkApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--api-url / TEVIS_API_URL: "${text}" is not a URL; e.g. http://127.0.0.1:8082`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--api-url / TEVIS_API_URL: use an http or https URL, not "${url.protocol}"`);
  return text.replace(/\/+$/, '');
}

export function commandContext(command: Command): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const json = Boolean(globals.json);
  const config = readConfig();
  const apiUrl = checkApiUrl(globals.apiUrl ?? config.apiUrl);
  return {
    json,
    out: createOutput(json),
    config,
    apiUrl,
    async client() {
      return new TevisApiClient({ baseUrl: apiUrl, token: await readApiToken(config.home, config.apiToken) });
    },
    progress(text, options) {
      return startProgress(text, { enabled: !json, handleSignals: options?.handleSignals });
    },
  };
}
