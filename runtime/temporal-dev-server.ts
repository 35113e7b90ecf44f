import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { openLog } from './dev-server-log.js';
import { forgetDevServer, recordDevServer } from './dev-server-record.js';
import { watchOverDevServer } from './dev-server-watchdog.js';
import { describeHolder, findPortHolder, isPortFree } from './port-holder.js';
import { identityOf } from './process-identity.js';
import type { SearchAttributeTypeName } from './search-attributes.js';
import { waitUntilServing } from './wait-until-serving.js';

/**
 * Runs `temporal server start-dev` as a child process: the embedded cluster of `tevis up` and the
 * shared cluster of the test suites. The SDK's own dev-server helper is not used because it gives
 * up after 5 s of connection attempts, which a cold start on a 2-core machine can exceed.
 */

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file to persist to; in memory when absent. */
  dbFile?: string;
  port: number;
  /** Web UI port; the CLI's default is port + 1000. Ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  /** The Web UI's remote codec (Tevis's API `/codec`), so it shows sealed payloads decoded. */
  uiCodecEndpoint?: string;
  /** Where the server's output goes; kept in memory (last lines only) when absent. */
  logFile?: string;
  /** Records the running server here (see dev-server-record.ts) so a later run can find it. */
  pidFile?: string;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

const SECRET_ENV = ['TEVIS_TEMPORAL_CODEC_KEY', 'TEVIS_API_TOKEN', 'TEVIS_WEBHOOK_SECRET'];
const STOP_GRACE_MS = 10_000;

/** How often a start that lost a race for one of the server's own ports is tried again. */
const INTERNAL_PORT_ATTEMPTS = 3;

export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= INTERNAL_PORT_ATTEMPTS || !lostInternalPortRace(err, opts)) throw err;
    }
  }
}

/**
 * Besides the ports Tevis names, the dev server picks free ports of its own (its HTTP frontend,
 * its internal services) a moment before it binds them; another process can take one in between.
 * That is a race the next start wins, not a port a person must free (ours are checked up front).
 */
export function lostInternalPortRace(err: unknown, opts: DevServerOptions): boolean {
  const bind = /listen tcp [\d.]+:(\d+): bind: address already in use/.exec(String((err as Error)?.message));
  if (!bind) return false;
  const port = Number(bind[1]);
  return port !== opts.port && port !== uiPortOf(opts);
}

function uiPortOf(opts: DevServerOptions): number | undefined {
  return opts.headless ? undefined : (opts.uiPort ?? opts.port + 1000);
}

async function startOnce(opts: DevServerOptions): Promise<RunningDevServer> {
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  const uiPort = uiPortOf(opts);

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port)];
  if (uiPort === undefined) args.push('--headless');
  // The UI would otherwise fetch a newsfeed from the internet; nothing here may leave loopback.
  else {
    args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  }
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(opts.searchAttributes)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  // The frontend phones home for version checks unless told not to (the Go SDK does the same).
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false', '--log-level', 'warn');

  // A busy port is said up front, with its holder: otherwise the new server dies on it while the
  // readiness probe below may well reach whatever holds the port and take it for ours.
  for (const [what, port] of [
    ['Temporal', opts.port],
    ['Temporal Web UI', uiPort],
  ] as const) {
    if (port !== undefined && !(await isPortFree(port))) throw portBusy(what, port);
  }

  const log = openLog(opts.logFile);
  // The server needs none of Tevis's secrets; keep them out of its environment (and /proc).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SECRET_ENV.includes(name)));
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', log.stdio, log.stdio], env });
  log.afterSpawn(child);
  const identity = child.pid === undefined ? null : identityOf(child.pid);
  const watchdog = identity ? watchOverDevServer(identity) : null;
  const recorded =
    opts.pidFile && identity
      ? recordDevServer(opts.pidFile, identity, {
          port: opts.port,
          uiPort,
          watchdogPid: watchdog?.pid ?? null,
        })
      : null;

  // Normal exits (end of main, process.exit, vitest teardown that forgot stop()) must not leave
  // a server holding the port and the SQLite file. SIGTERM lets it close the database cleanly.
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);

  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) =>
      resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    process.off('exit', killOnExit);
    watchdog?.release();
    if (recorded) forgetDevServer(opts.pidFile!, recorded);
  });

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    // Cancelled once the server is gone, or the pending timer would hold the caller's event loop
    // open for the whole grace period.
    const grace = new AbortController();
    const graceful = await Promise.race([
      exited.then(() => true),
      sleep(STOP_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!graceful) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    await waitUntilServing(address, namespace, exited);
    // The port was free a moment before the spawn; make sure the server that answers is ours.
    const holder = findPortHolder(opts.port);
    if (holder && holder.pid !== child.pid)
      throw new Error(`is not the server answering: port ${opts.port} is held by ${describeHolder(holder)}`);
  } catch (err) {
    await stop();
    const tail = (await log.tail()).trim();
    throw new Error(
      `temporal server start-dev on ${address} ${(err as Error).message}` +
        (tail ? `\nLast output${opts.logFile ? ` (${opts.logFile})` : ''}:\n${tail}` : ''),
    );
  }

  return { address, uiUrl: uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`, stop };
}

function portBusy(what: string, port: number): Error {
  return new Error(
    `${what} port 127.0.0.1:${port} is already in use by ${describeHolder(findPortHolder(port))}. ` +
      `Stop that process, or choose free ports with TEVIS_TEMPORAL_PORT and TEVIS_TEMPORAL_UI_PORT`,
  );
}
