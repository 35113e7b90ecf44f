import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { renderFields } from '../output.js';
import { DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';

const DEFAULT_TPU_IMAGE = DEFAULT_EXECUTION_SETTINGS.image;

export function registerTpuCommands(program: Command): void {
  const tpu = program.command('tpu').description('the containers nanocycles run in');

  tpu
    .command('build-image')
    .description(
      "build the default TPU image (tevis-tpu:latest: busybox shell and tools, uid 10001) in the engine at DOCKER_HOST, with no registry; --node adds this host's node (tevis-tpu-node:latest)",
    )
    .option(
      '--tag <ref>',
      'image reference to build (default: tevis-tpu:latest, with --node tevis-tpu-node:latest)',
    )
    .option('--node', "add this host's node and the shared libraries it loads, for Node-based agents")
    .action(async (flags: { tag?: string; node?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      // Heavy (dockerode): loaded only by the command that needs it.
      const [{ default: Docker }, { buildTpuImage }, { buildNodeTpuImage, NODE_TPU_IMAGE }, { pingEngine }] =
        await Promise.all([
          import('dockerode'),
          import('../../runtime/tpu-image.js'),
          import('../../runtime/tpu-node-image.js'),
          import('../../activities/tpu/ping-engine.js'),
        ]);
      const tag = flags.tag ?? (flags.node ? NODE_TPU_IMAGE : DEFAULT_TPU_IMAGE);
      const docker = new Docker();
      if ((await pingEngine(docker, 3000)) !== null) {
        throw new CliError(
          'engine-unreachable',
          EXIT.unavailable,
          `no container engine answers at ${process.env.DOCKER_HOST ?? 'the default socket (/var/run/docker.sock)'}; start dockerd or set DOCKER_HOST`,
        );
      }
      let step = ctx.progress(`building ${tag}`);
      const options = {
        docker,
        tag,
        onProgress: (message: string) => {
          step.succeed();
          step = ctx.progress(message);
        },
      };
      let built: Awaited<ReturnType<typeof buildTpuImage>> & { node?: string; libraries?: string[] };
      try {
        built = flags.node ? await buildNodeTpuImage(options) : await buildTpuImage(options);
      } catch (error) {
        step.fail();
        throw new CliError('image-build-failed', EXIT.unavailable, (error as Error).message);
      }
      step.succeed();
      const rows: Array<[string, string]> = [
        ['Image', built.id.slice(0, 19)],
        ['Size', `${(built.sizeBytes / 1024 / 1024).toFixed(1)} MiB`],
        ['Tools', `${built.applets} busybox applets`],
      ];
      if (built.node) rows.push(['Node', `${built.node} with ${built.libraries?.length} shared libraries`]);
      const use = built.node
        ? `Projects use it with --image ${built.tag}: a Node agent committed in the repository runs in it.`
        : `Projects use it by default (--image ${DEFAULT_TPU_IMAGE}); an agent needs an image with the agent in it.`;
      ctx.out.result(built, () => `Built ${built.tag}.\n${renderFields(rows, '  ')}\n${use}`);
    });
}
