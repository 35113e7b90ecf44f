import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_VERSION, installDockerCompose, runDockerCompose } from '../support/docker-compose-cli.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import { type SplitStack, startSplitStack } from '../support/split-stack.js';

/**
 * docker-compose.yml as Docker Compose itself resolves it (`docker compose config`, the pinned v2
 * binary of test/support/docker-compose-cli.ts): the secrets it requires, worker homes whose TPU
 * mounts resolve on the engine's host, the engine socket only where TPUs are made, restart
 * policies, health checks (the API's run here against a real API), the order of start, no
 * privilege, and the Temporal UI linked both ways. The file's images are not run here: no registry
 * serves them to this machine (README "Deployment").
 */

interface Volume {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: Volume[];
  ports?: { host_ip?: string; target: number; published: string }[];
  restart?: string;
  init?: boolean;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  privileged?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  network_mode?: string;
  pid?: string;
}
interface Resolved {
  services: Record<string, Service>;
}

const SECRETS = { TEVIS_API_TOKEN: 'token-of-the-test', TEVIS_TEMPORAL_CODEC_KEY: 'a2V5LW9mLXRoZS10ZXN0' };
const HOSTS_DIR = '/srv/tevis-hosts';
const WORKERS = ['worker-a', 'worker-b'];
const APIS = ['api-a', 'api-b'];
const SOCKET = '/var/run/docker.sock';

const resolve = async (env: Record<string, string>) =>
  runDockerCompose(['config', '--format', 'json'], { cwd: REPO_ROOT, env });

let config: Resolved;
let services: Record<string, Service>;

beforeAll(async () => {
  await installDockerCompose((msg) => console.log(`[tevis test] ${msg}`));
  const resolved = await resolve({ ...SECRETS, TEVIS_HOSTS_DIR: HOSTS_DIR });
  expect(resolved.stderr).toBe('');
  expect(resolved.code).toBe(0);
  config = JSON.parse(resolved.stdout) as Resolved;
  services = config.services;
}, 15 * 60_000);

const env = (name: string) => services[name]!.environment ?? {};
const publishedUrl = (name: string) => {
  const [port] = services[name]!.ports ?? [];
  return `http://${port!.host_ip}:${port!.published}`;
};

describe('docker-compose.yml, resolved by Docker Compose', () => {
  it(`is valid for Docker Compose ${COMPOSE_VERSION}: one Postgres, one Temporal with its UI, two worker hosts, two APIs`, () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api-a', 'api-b', 'postgres', 'temporal', 'temporal-ui', 'worker-a', 'worker-b'].sort(),
    );
    for (const name of WORKERS) expect(services[name]!.command).toEqual(['node', 'bin/tevis.js', 'worker']);
    for (const name of APIS) expect(services[name]!.command).toEqual(['node', 'bin/tevis.js', 'api']);
    for (const name of [...WORKERS, ...APIS]) {
      expect(env(name).DATABASE_URL).toBe('postgres://tevis:tevis@postgres:5432/tevis');
      expect(env(name).TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(services[name]!.build).toBeDefined();
    }
  });

  it('refuses to resolve without the API token or the codec key, naming the one missing', async () => {
    for (const missing of Object.keys(SECRETS) as (keyof typeof SECRETS)[]) {
      const given = { ...SECRETS } as Record<string, string>;
      delete given[missing];
      const result = await resolve(given);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`required variable ${missing} is missing a value`);
    }
  });

  it('gives every worker and API the same token and codec key, from the environment', () => {
    for (const name of [...WORKERS, ...APIS]) {
      expect(env(name).TEVIS_API_TOKEN).toBe(SECRETS.TEVIS_API_TOKEN);
      expect(env(name).TEVIS_TEMPORAL_CODEC_KEY).toBe(SECRETS.TEVIS_TEMPORAL_CODEC_KEY);
    }
  });

  it("gives each worker host a name and a home bound at the same absolute path as on the engine's host", () => {
    const homes = WORKERS.map((name) => {
      expect(env(name).TEVIS_WORKER_HOST).toBe(name);
      const home = env(name).TEVIS_HOME!;
      expect(home).toBe(`${HOSTS_DIR}/${name}`);
      const mount = services[name]!.volumes!.find((v) => v.target === home);
      expect(mount).toMatchObject({ type: 'bind', source: home, target: home });
      expect(mount!.read_only ?? false).toBe(false);
      return home;
    });
    expect(new Set(homes).size).toBe(WORKERS.length);
    // No named volume anywhere Tevis writes or reads workspaces: its path would exist only in the container.
    for (const name of [...WORKERS, ...APIS])
      expect(services[name]!.volumes!.filter((v) => v.type !== 'bind')).toEqual([]);
  });

  it('mounts every worker home into each API, at the same path, writable for the file route', () => {
    for (const api of APIS) {
      for (const worker of WORKERS) {
        const home = env(worker).TEVIS_HOME!;
        const mount = services[api]!.volumes!.find((v) => v.type === 'bind' && v.target === home);
        expect(mount).toMatchObject({ source: home, target: home });
        expect(mount!.read_only ?? false).toBe(false);
      }
      // Its own home is in the container, on no mount: with the token and the codec key given it keeps nothing.
      const home = env(api).TEVIS_HOME!;
      expect(home).toBe('/var/lib/tevis-api');
      expect(services[api]!.volumes!.some((v) => home === v.target || home.startsWith(`${v.target}/`))).toBe(
        false,
      );
    }
  });

  it("gives the engine's socket to the workers alone", () => {
    for (const [name, service] of Object.entries(services)) {
      const socket = (service.volumes ?? []).find((v) => v.target === SOCKET);
      if (WORKERS.includes(name)) {
        expect(socket).toMatchObject({ type: 'bind', source: SOCKET });
        expect(env(name).DOCKER_HOST).toBe(`unix://${SOCKET}`);
        expect(env(name).TEVIS_TPU_EXECUTOR).toBe('docker');
      } else {
        expect(socket).toBeUndefined();
        expect(service.environment?.DOCKER_HOST).toBeUndefined();
      }
    }
  });

  it('restarts every service and checks the health of each', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
      expect(service.healthcheck?.disable ?? false).toBe(false);
      expect(service.healthcheck?.test?.length ?? 0).toBeGreaterThan(1);
    }
    expect(services.postgres!.healthcheck!.test).toEqual(['CMD', 'pg_isready', '-U', 'tevis', '-d', 'tevis']);
    expect(services.temporal!.healthcheck!.test).toEqual(
      expect.arrayContaining(['temporal', 'operator', 'cluster', 'health']),
    );
    expect(services['temporal-ui']!.healthcheck!.test).toContain('http://127.0.0.1:8080/');
    for (const name of [...WORKERS, ...APIS]) expect(services[name]!.init).toBe(true);
    for (const name of WORKERS) {
      expect(services[name]!.healthcheck!.test).toEqual(['CMD', 'node', 'bin/tevis-worker-health.js']);
      expect(env(name).TEVIS_WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    }
    // The script test/integration/worker-health.test.ts runs against a real worker.
    expect(existsSync(join(REPO_ROOT, 'bin', 'tevis-worker-health.js'))).toBe(true);
  });

  it('starts Temporal after Postgres, and the UI, workers and APIs once what they need is healthy', () => {
    const healthy = { condition: 'service_healthy' };
    expect(services.temporal!.depends_on).toEqual({ postgres: expect.objectContaining(healthy) });
    expect(services['temporal-ui']!.depends_on).toEqual({ temporal: expect.objectContaining(healthy) });
    for (const name of [...WORKERS, ...APIS])
      expect(services[name]!.depends_on).toEqual({
        postgres: expect.objectContaining(healthy),
        temporal: expect.objectContaining(healthy),
      });
  });

  it('grants no privilege: none privileged, no capability added, the APIs with none at all', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.privileged ?? false]).toEqual([name, false]);
      expect([name, service.cap_add ?? []]).toEqual([name, []]);
      expect([name, service.network_mode ?? 'default', service.pid ?? 'own']).toEqual([
        name,
        'default',
        'own',
      ]);
    }
    for (const name of APIS) expect(services[name]!.cap_drop).toEqual(['ALL']);
    for (const name of [...WORKERS, ...APIS])
      expect(services[name]!.security_opt).toContain('no-new-privileges:true');
  });

  it('publishes ports on loopback only: each API, the Temporal frontend and its UI', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => [name, p.host_ip, p.published]),
    );
    expect(published).toEqual(
      expect.arrayContaining([
        ['api-a', '127.0.0.1', '8082'],
        ['api-b', '127.0.0.1', '8083'],
        ['temporal', '127.0.0.1', '7233'],
        ['temporal-ui', '127.0.0.1', '8233'],
      ]),
    );
    expect(published.every(([, ip]) => ip === '127.0.0.1')).toBe(true);
    expect(services.postgres!.ports ?? []).toEqual([]);
  });

  it("links the Temporal UI both ways: the APIs name the UI's URL, the UI's codec endpoint is an API's /codec", () => {
    const ui = publishedUrl('temporal-ui');
    for (const name of APIS) expect(env(name).TEVIS_TEMPORAL_UI_URL).toBe(ui);
    const uiEnv = env('temporal-ui');
    expect(uiEnv.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(uiEnv.TEMPORAL_CODEC_ENDPOINT).toBe(`${publishedUrl('api-a')}/codec`);
    // The browser sends the codec cookie Mission Control got (api/routes/temporal-codec.ts).
    expect(uiEnv.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
  });

  it('takes the worker homes from TEVIS_HOSTS_DIR, /var/lib/tevis by default', async () => {
    const resolved = await resolve(SECRETS);
    expect(resolved.code).toBe(0);
    const byDefault = JSON.parse(resolved.stdout) as Resolved;
    expect(byDefault.services['worker-a']!.environment!.TEVIS_HOME).toBe('/var/lib/tevis/worker-a');
    expect(byDefault.services['worker-a']!.volumes).toContainEqual(
      expect.objectContaining({ source: '/var/lib/tevis/worker-a', target: '/var/lib/tevis/worker-a' }),
    );
    // Why it must be absolute: Compose resolves a relative source against the project, not the target.
    const relative = JSON.parse((await resolve({ ...SECRETS, TEVIS_HOSTS_DIR: 'hosts' })).stdout) as Resolved;
    const home = relative.services['worker-a']!.volumes!.find((v) => v.target === 'hosts/worker-a');
    expect(home!.source).toBe(join(REPO_ROOT, 'hosts', 'worker-a'));
  });

  it("takes the browser's URLs of the API and the UI, and the engine's socket, from the environment", async () => {
    const resolved = await resolve({
      ...SECRETS,
      TEVIS_API_PUBLIC_URL: 'https://tevis.example.test',
      TEVIS_TEMPORAL_UI_PUBLIC_URL: 'https://temporal.example.test',
      TEVIS_DOCKER_SOCKET: '/run/user/1000/docker.sock',
    });
    expect(resolved.code).toBe(0);
    const given = JSON.parse(resolved.stdout) as Resolved;
    expect(given.services['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe(
      'https://tevis.example.test/codec',
    );
    for (const name of APIS)
      expect(given.services[name]!.environment!.TEVIS_TEMPORAL_UI_URL).toBe('https://temporal.example.test');
    for (const name of WORKERS)
      expect(given.services[name]!.volumes).toContainEqual(
        expect.objectContaining({ source: '/run/user/1000/docker.sock', target: SOCKET }),
      );
  });

  it('builds an image with what bin/tevis.js and `tevis tpu build-image` need', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    // git for the workspaces; a static busybox for the TPU image (runtime/tpu-image.ts).
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bgit\b[^\n]*\bbusybox-static\b/);
    // tsx runs bin/tevis.js: a production dependency, so `npm ci --omit=dev` keeps it.
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('RUN npx tsx worker/bundle.ts');
  });
});

describe("the API's health check, as the file gives it", () => {
  let root = '';
  let stack: SplitStack | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tevis-compose-health-'));
    stack = await startSplitStack(root, 'compose-health');
  });
  afterAll(async () => {
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const runCheck = (test: string[], port: string) =>
    new Promise<number | null>((resolve, reject) => {
      const [kind, command, ...args] = test;
      expect(kind).toBe('CMD');
      const child = spawn(command === 'node' ? process.execPath : command!, args, {
        env: { PATH: process.env.PATH, ...env('api-a'), TEVIS_PORT: port },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });

  it('passes against a running API on its port and fails where none answers', async () => {
    const test = services['api-a']!.healthcheck!.test!;
    const port = new URL(stack!.api.url).port;
    expect(await runCheck(test, port)).toBe(0);
    await stack!.api.stop();
    expect(await runCheck(test, port)).toBe(1);
  });
});
