import type { Command } from 'commander';
import { commandContext } from '../command-context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { renderFields } from '../output.js';

export function registerTpuCommands(program: Command): void {
  const tpu = program.command('tpu').description('the containers nanocycles run in');

  tpu
    .command('build-image')
    .description(
      'build the default TPU image (tevis-tpu:latest: busybox shell and tools, uid 10001) in the engine at DOCKER_HOST, with no registry',
    )
    .option('--tag <ref>', 'image reference to build', 'tevis-tpu:latest')
    .action(async (flags: { tag: string }, command: Command) => {
      const ctx = commandContext(command);
      // Heavy (dockerode): loaded only by the command that needs it.
      const [{ default: Docker }, { buildTpuImage }, { pingEngine }] = await Promise.all([
        import('dockerode'),
        import('../../runtime/tpu-image.js'),
        import('../../activities/tpu/ping-engine.js'),
      ]);
      const docker = new Docker();
      if ((await pingEngine(docker, 3000)) !== null) {
        throw new CliError(
          'engine-unreachable',
          EXIT.unavailable,
          `no container engine answers at ${process.env.DOCKER_HOST ?? 'the default socket (/var/run/docker.sock)'}; start dockerd or set DOCKER_HOST`,
        );
      }
      let step = ctx.progress(`building ${flags.tag}`);
      let built: Awaited<ReturnType<typeof buildTpuImage>>;
      try {
        built = await buildTpuImage({
          docker,
          tag: flags.tag,
          onProgress: (message) => {
            step.succeed();
            step = ctx.progress(message);
          },
        });
      } catch (error) {
        step.fail();
        throw new CliError('image-build-failed', EXIT.unavailable, (error as Error).message);
      }
      step.succeed();
      ctx.out.result(
        built,
        () =>
          `Built ${built.tag}.\n${renderFields(
            [
              ['Image', built.id.slice(0, 19)],
              ['Size', `${(built.sizeBytes / 1024 / 1024).toFixed(1)} MiB`],
              ['Tools', `${built.applets} busybox applets`],
            ],
            '  ',
          )}\nProjects use it by default (--image tevis-tpu:latest); an agent needs an image with the agent in it.`,
      );
    });
}
