/**
 * A scrape of `/metrics` read back into samples, for the tests that check what it says. Only the
 * exposition format prom-client writes: `name{label="value",…} number` a line, `#` comments.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = line.match(SAMPLE);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key!, value!.replace(/\\(.)/g, '$1')]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The samples of `name`, as `labelValue → value` for the one label `by`. */
export function samplesBy(samples: Sample[], name: string, by: string): Record<string, number> {
  return Object.fromEntries(samples.filter((s) => s.name === name).map((s) => [s.labels[by], s.value]));
}

/** The `# HELP` text of `name`, or undefined. */
export function helpOf(text: string, name: string): string | undefined {
  return text.match(new RegExp(`^# HELP ${name} (.+)$`, 'm'))?.[1];
}
