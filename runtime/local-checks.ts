import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import type { LocalCheck, LocalStatus } from '../contracts/local-status.js';
import type { TevisConfig } from './config.js';
import { devServerPidFile, recordedDevServer } from './dev-server-record.js';
import { describeHolder, findPortHolder, isPortFree, type PortHolder } from './port-holder.js';
import { readPidFile } from './pid-file.js';
import { checkContainerEngine } from './service-checks.js';
import { loadTemporalTls } from './temporal-tls.js';
import { runningUp, upLockFile, type UpRecord } from './up-lock.js';
import { temporalConnectionOptions } from './temporal-connection-options.js';

/**
 * `tevis-local status`: the local install as this host sees it, for the moments the API cannot
 * answer (the product's troubleshooting runs it after `lsof -i :8082` and `docker info`). Every
 * check reads the machine directly: the home's pid files, who holds the ports (/proc), whether
 * Temporal, the database and the TPU engine answer, and the API's `/health`. It opens nothing a
 * running `tevis up` owns (PGlite is single-process: only its directory is looked at).
 */
const ANSWER_MS = 5000;

export async function checkLocalInstall(config: TevisConfig): Promise<LocalStatus> {
  const up = runningUp(config.home);
  const checks: LocalCheck[] = [
    upCheck(config, up),
    await apiPortCheck(config, up),
    await temporalCheck(config, up),
    await databaseCheck(config, up),
    await executorCheck(),
    await healthCheck(config, up),
  ];
  return { ok: checks.every((c) => c.ok || c.optional), home: config.home, checks };
}

function pass(name: LocalCheck['name'], detail: string, optional = false): LocalCheck {
  return { name, ok: true, optional, detail, fix: null };
}

function fail(name: LocalCheck['name'], detail: string, fix: string, optional = false): LocalCheck {
  return { name, ok: false, optional, detail, fix };
}

function upCheck(config: TevisConfig, up: UpRecord | null): LocalCheck {
  if (up) return pass('tevis up', `running for ${config.home}: pid ${up.pid}, since ${up.since}`);
  const stale = readPidFile<UpRecord>(upLockFile(config.home));
  const detail = stale
    ? `not running for ${config.home}; the last one (pid ${stale.pid}, since ${stale.since}) ended without stopping (killed?)`
    : `not running for ${config.home}`;
  return fail(
    'tevis up',
    detail,
    stale ? 'start it with `tevis up` (it cleans up after the killed one)' : 'start it with `tevis up`',
  );
}

function heldBy(holder: PortHolder | null, up: UpRecord | null): 'tevis' | 'other' | 'unknown' {
  if (!holder) return 'unknown';
  return up && holder.pid === up.pid ? 'tevis' : 'other';
}

async function apiPortCheck(config: TevisConfig, up: UpRecord | null): Promise<LocalCheck> {
  const where = `${config.host}:${config.port}`;
  if (await isPortFree(config.port, config.host)) {
    return up
      ? fail(
          'API port',
          `${where} is free: the running \`tevis up\` serves no API there`,
          'see the output of that `tevis up`; stop it (Ctrl-C) and start it again',
        )
      : fail('API port', `${where} is free: nothing serves the API`, 'start Tevis with `tevis up`');
  }
  const holder = findPortHolder(config.port);
  switch (heldBy(holder, up)) {
    case 'tevis':
      return pass('API port', `${where} held by \`tevis up\` (pid ${up!.pid})`);
    case 'other':
      return fail(
        'API port',
        `${where} held by ${describeHolder(holder)}, not by Tevis`,
        `stop that process, or set TEVIS_PORT to a free port (and TEVIS_API_URL for the CLI)`,
      );
    case 'unknown':
      return up
        ? pass(
            'API port',
            `${where} in use (its owner could not be read from /proc; \`tevis up\` pid ${up.pid} is running)`,
          )
        : fail(
            'API port',
            `${where} held by ${describeHolder(null)}, and no \`tevis up\` runs for this home`,
            `find it with \`lsof -i :${config.port}\` and stop it, or set TEVIS_PORT to a free port`,
          );
  }
}

async function temporalCheck(config: TevisConfig, up: UpRecord | null): Promise<LocalCheck> {
  if (config.temporalAddress) {
    const answer = await temporalAnswer(config.temporalAddress, config);
    return answer.ok
      ? pass('Temporal', `cluster at ${config.temporalAddress} (TEMPORAL_ADDRESS) answers: ${answer.text}`)
      : fail(
          'Temporal',
          `cluster at ${config.temporalAddress} (TEMPORAL_ADDRESS) does not answer: ${answer.text}`,
          'start that cluster, or fix TEMPORAL_ADDRESS (unset it to let `tevis up` run its own dev server)',
        );
  }
  const address = `127.0.0.1:${config.temporalPort}`;
  const server = recordedDevServer(devServerPidFile(config.home));
  if (!server) {
    if (await isPortFree(config.temporalPort)) {
      return fail(
        'Temporal',
        `no dev server runs for this home; ${address} is free`,
        'start Tevis with `tevis up` (it starts the dev server)',
      );
    }
    return fail(
      'Temporal',
      `no dev server runs for this home, but ${address} is held by ${describeHolder(findPortHolder(config.temporalPort))}`,
      'stop that process, or set TEVIS_TEMPORAL_PORT (and TEVIS_TEMPORAL_UI_PORT) to free ports',
    );
  }
  const owner =
    up && server.ownerPid === up.pid
      ? `started by \`tevis up\` pid ${up.pid}`
      : `left by \`tevis up\` pid ${server.ownerPid}, which is gone`;
  const answer = await temporalAnswer(address, config);
  const detail = `dev server pid ${server.pid} on ${address} (${owner})`;
  if (!answer.ok)
    return fail(
      'Temporal',
      `${detail} does not answer: ${answer.text}`,
      `see ${join(config.home, 'temporal.log')}; \`tevis up\` again stops it and starts a fresh one`,
    );
  if (!up)
    return fail(
      'Temporal',
      `${detail} answers, but no \`tevis up\` owns it`,
      'start `tevis up`: it stops the leftover server and starts its own',
    );
  return pass('Temporal', `${detail} answers: ${answer.text}`);
}

async function temporalAnswer(address: string, config: TevisConfig): Promise<{ ok: boolean; text: string }> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({
      address,
      tls: await loadTemporalTls(config.temporalTls),
      connectTimeout: ANSWER_MS,
      ...temporalConnectionOptions(),
    });
    const info = await connection.workflowService.getSystemInfo({});
    return { ok: true, text: `server ${info.serverVersion || 'of unknown version'}` };
  } catch (error) {
    return { ok: false, text: (error as Error).message };
  } finally {
    await connection?.close().catch(() => {});
  }
}

async function databaseCheck(config: TevisConfig, up: UpRecord | null): Promise<LocalCheck> {
  if (config.databaseUrl) {
    const shown = redactedUrl(config.databaseUrl);
    const client = new pg.Client({
      connectionString: config.databaseUrl,
      connectionTimeoutMillis: ANSWER_MS,
    });
    try {
      await client.connect();
      await client.query('select 1');
      return pass('database', `Postgres at ${shown} (DATABASE_URL) answers`);
    } catch (error) {
      return fail(
        'database',
        `Postgres at ${shown} (DATABASE_URL) does not answer: ${(error as Error).message}`,
        'start Postgres, or fix DATABASE_URL (unset it for the embedded PGlite)',
      );
    } finally {
      await client.end().catch(() => {});
    }
  }
  const dir = join(config.home, 'pglite');
  if (!existsSync(dir)) return pass('database', `embedded PGlite, made at the first \`tevis up\` in ${dir}`);
  try {
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch {
    return fail(
      'database',
      `embedded PGlite at ${dir} is not readable and writable by this user`,
      `run Tevis as the user who owns ${config.home}`,
    );
  }
  return pass('database', `embedded PGlite at ${dir}${up ? ` (open in \`tevis up\` pid ${up.pid})` : ''}`);
}

async function executorCheck(): Promise<LocalCheck> {
  // The same check as `tevis status`: the executor this configuration chooses, and whether its engine answers.
  const check = await checkContainerEngine();
  return check.status === 'ok'
    ? pass('TPU executor', check.detail, true)
    : fail(
        'TPU executor',
        check.detail,
        'only nanocycles need it: set DOCKER_HOST to a running engine (`docker info` shows whether it answers), or install bubblewrap for the sandbox',
        true,
      );
}

async function healthCheck(config: TevisConfig, up: UpRecord | null): Promise<LocalCheck> {
  const url = `${config.apiUrl}/health`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(ANSWER_MS) });
    const body = (await response.json().catch(() => ({}))) as { version?: string };
    if (response.ok)
      return pass('API health', `${url} answers${body.version ? ` (Tevis ${body.version})` : ''}`);
    return fail(
      'API health',
      `${url} answers ${response.status}`,
      up ? 'see the output of `tevis up`' : 'start Tevis with `tevis up`',
    );
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return fail(
      'API health',
      `${url} does not answer (${reason})`,
      up
        ? 'see the output of `tevis up`; stop it (Ctrl-C) and start it again'
        : 'start Tevis with `tevis up`',
    );
  }
}

function redactedUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}
