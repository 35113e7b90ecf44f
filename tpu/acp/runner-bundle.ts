// Placeholder until the s14-image branch lands its version (same exported name).
import { createHash } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let built: Promise<string> | null = null;

export function acpRunnerBundle(dir = join(tmpdir(), 'tevis-acp-runner')): Promise<string> {
  built ??= (async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./runner.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    const text = result.outputFiles[0]!.text;
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const path = join(dir, `acp-runner-${hash}.mjs`);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o644 });
    await chmod(temp, 0o644);
    await rename(temp, path);
    return path;
  })().catch((error) => {
    built = null;
    throw error;
  });
  return built;
}
