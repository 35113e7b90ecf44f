/**
 * What a command that streams to stdout (`--follow`) tells the person beside it: on stderr,
 * prefixed `tevis:`, and nothing in `--json` mode, so stdout stays the stream alone.
 */
export function followerNotes(json: boolean): {
  note(text: string): void;
  onReconnect(reason: string, delayMs: number): void;
} {
  const note = (text: string) => {
    if (!json) process.stderr.write(`tevis: ${text}\n`);
  };
  return {
    note,
    onReconnect: (reason, delayMs) => note(`${reason}; reconnecting in ${Math.round(delayMs / 1000)}s`),
  };
}
