import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Holds a session's clone mid-way, deterministically, without timing: the project's repository is
 * an ssh:// URL, and the workers' GIT_SSH_COMMAND (one of the few variables git on a worker still
 * gets) is this gate that, instead of connecting anywhere, runs git-upload-pack on the local bare
 * repository, holding the first one until the test releases it. When the gate has been reached,
 * git has created the `.partial-<attempt>` directory and waits for the pack. (The worker's own git
 * config is not read any more, so a config hook could not hold it.)
 */
export interface CloneGate {
  /** Where the gate keeps its marks: `held` once the first clone waits, `pack-calls` (one pid a call). */
  dir: string;
  /** What the workers' environment needs for the gate. */
  env: Record<string, string>;
  release(): Promise<void>;
}

export async function makeCloneGate(root: string): Promise<CloneGate> {
  const dir = join(root, 'gate');
  await mkdir(dir, { recursive: true });
  const hook = join(root, 'ssh-gate.sh');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      '# GIT_SSH_COMMAND with GIT_SSH_VARIANT=simple: "$1" is the host, "$2" what git would run there.',
      `GATE='${dir}'`,
      'echo "$$" >> "$GATE/pack-calls"',
      '# The first clone waits until the test releases it (or kills it); later ones pass.',
      'if mkdir "$GATE/held" 2>/dev/null; then',
      '  while [ ! -e "$GATE/release" ]; do sleep 0.2; done',
      'fi',
      'exec sh -c "$2"',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
  return {
    dir,
    env: { GIT_SSH_COMMAND: hook, GIT_SSH_VARIANT: 'simple' },
    release: () => writeFile(join(dir, 'release'), '').catch(() => {}),
  };
}
