/**
 * What a command that streams to stdout (`--follow`) tells the person beside it: on stderr,
 * prefixed `tevis:`, and nothing in `--json` mode, so stdout stays the stream alone.
 * `beforeNote` runs first: it ends a line the stream left open (output-line-printer.ts).
 */
export function followerNotes(
  json: boolean,
  beforeNote: () => void = () => {},
): {
  note(text: string): void;
  onReconnect(reason: string, delayMs: number): void;
} {
  const note = (text: string) => {
    if (json) return;
    beforeNote();
    process.stderr.write(`tevis: ${text}\n`);
  };
  return {
    note,
    onReconnect: (reason, delayMs) => note(`${reason}; reconnecting in ${Math.round(delayMs / 1000)}s`),
  };
}
