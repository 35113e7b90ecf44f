import type { Logger } from '../runtime/logger.js';

/**
 * How `tevis worker` and `tevis api` say what they wait for and that they stop: the `tevis: …`
 * line a person reads, or under `--json` a log line, so that stderr then holds JSON lines only.
 */
export function stderrNotes(json: boolean, logger: Logger): (text: string) => void {
  if (json) return (text) => logger.info(text);
  return (text) => process.stderr.write(`tevis: ${text}\n`);
}
