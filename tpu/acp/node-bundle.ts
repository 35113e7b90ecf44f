import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

/**
 * One TypeScript entry and everything it imports as ONE ESM file for Node ≥ 20 that imports
 * nothing but Node's builtins: it runs where there is no node_modules (a TPU sees one file).
 * Built once a process per entry; a failure is not kept, so the next call tries again.
 * Unminified, so a stack trace from inside a TPU still names functions.
 */
export function bundleForNode(entry: string): Promise<string> {
  let text = bundles.get(entry);
  if (!text) {
    text = build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      legalComments: 'none',
    }).then((result) => {
      const [output] = result.outputFiles;
      if (!output) throw new Error(`bundling ${entry} produced no file`);
      return output.text;
    });
    bundles.set(entry, text);
    text.catch(() => bundles.delete(entry));
  }
  return text;
}
