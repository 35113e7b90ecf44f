/**
 * With `timestamps: true`, the engine sends each log message as its own frame of the multiplexed
 * stream: `<RFC 3339 nano timestamp> <message>`. A message is one line with its newline, or, for a
 * line longer than the engine's 16 KiB buffer, a piece of it without one (the next frame of the
 * same stream carries on, behind a timestamp of its own). So timestamps are stripped per frame,
 * before the bytes go to the line splitter; stripping them per line would leave the inner ones of
 * a long line in its text.
 */

const SPACE = 0x20;

export interface DockerLogFrame {
  at: Date;
  content: Buffer;
}

export function parseDockerLogFrame(frame: Buffer): DockerLogFrame {
  const space = frame.indexOf(SPACE);
  // 40 bytes is more than any RFC 3339 nano timestamp; no space that early: not a timestamped frame.
  if (space > 0 && space <= 40) {
    const at = new Date(frame.subarray(0, space).toString('latin1'));
    if (!Number.isNaN(at.getTime())) return { at, content: frame.subarray(space + 1) };
  }
  return { at: new Date(), content: frame };
}
