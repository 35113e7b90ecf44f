// Placeholder until the s14-image branch lands its version (same exported name).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let text: Promise<string> | null = null;

export function scriptedAgentBundle(): Promise<string> {
  text ??= build({
    entryPoints: [fileURLToPath(new URL('./scripted-acp-agent.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  }).then((r) => r.outputFiles[0]!.text);
  return text;
}
