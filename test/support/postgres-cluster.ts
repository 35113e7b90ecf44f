import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from './free-port.js';
import { findPostgresBinDir, POSTGRES_INSTALL_HINT } from './postgres-binaries.js';

/**
 * A throwaway PostgreSQL cluster for integration tests: real Postgres, its own data directory and
 * loopback port, gone after stop(). restart() exists for the "restart Postgres" failure tests.
 */

export interface PostgresCluster {
  /** URL of the `tevis` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server but keeps its data, for as long as an outage test needs; up() brings it back. */
  down(): Promise<void>;
  up(): Promise<void>;
}

const USER = 'tevis';
const DATABASE = 'tevis';

export async function startPostgresCluster(
  /** password: TCP logins need it (scram-sha-256), for tests of a wrong one; else every login is trusted. */
  opts: { port?: number; baseDir?: string; password?: string } = {},
): Promise<PostgresCluster> {
  const binDir = await findPostgresBinDir();
  if (!binDir) {
    throw new Error(
      `PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run \`${POSTGRES_INSTALL_HINT}\``,
    );
  }
  const port = opts.port ?? (await freeLoopbackPort());
  const baseDir = opts.baseDir ?? tmpdir();
  await mkdir(baseDir, { recursive: true });
  const dir = await mkdtemp(join(baseDir, 'tevis-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  await mkdir(socketDir);
  const passwordFile = join(dir, 'password');
  if (opts.password) await writeFile(passwordFile, `${opts.password}\n`);

  // Postgres refuses to run as root, and CI and sessions run as root: then everything runs as
  // the `postgres` user, in a directory it owns.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['-R', 'postgres:', dir], dir);
  const pgCommand = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
  const runPg = (tool: string, args: string[]) => run(...pgCommand(tool, args), dir);

  let stopped = false;
  // pg_ctl daemonises the server, so it would outlive this process; an exit hook cannot await,
  // hence the synchronous immediate stop.
  const stopOnExit = () => {
    const [command, args] = pgCommand('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    spawnSync(command, args, { cwd: dir, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopOnExit);

  const start = async () => {
    try {
      await runPg('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
    } catch (err) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n${log.trim().split('\n').slice(-15).join('\n')}`);
    }
  };
  const stopServer = () => runPg('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);

  try {
    await runPg('initdb', [
      '-D',
      dataDir,
      ...(opts.password
        ? ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`]
        : ['-A', 'trust']),
      '-U',
      USER,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    // Settings go into the config file rather than `pg_ctl -o "..."`: pg_ctl hands -o to a shell,
    // which would split a socket path with spaces or quotes in it.
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# written by test/support/postgres-cluster.ts',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${socketDir.replace(/'/g, "''")}'`,
        // Durability is worthless in a throwaway cluster and costs seconds per test file.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    await start();
    await createDatabase(port, opts.password);
  } catch (err) {
    process.off('exit', stopOnExit);
    stopOnExit();
    throw err;
  }

  return {
    url: `postgres://${USER}${opts.password ? `:${encodeURIComponent(opts.password)}` : ''}@127.0.0.1:${port}/${DATABASE}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', stopOnExit);
      try {
        await stopServer();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async restart() {
      await stopServer();
      await start();
    },
    down: stopServer,
    up: start,
  };
}

async function createDatabase(port: number, password: string | undefined): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // cwd: the postgres user may not be allowed into the caller's directory (e.g. /root).
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim()}`)),
    );
  });
}
