import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationSeconds, TimeoutSeconds } from '../../contracts/durations.js';
import { newSessionId, SESSION_ID_PATTERN } from '../../contracts/ids.js';
import { sessionCan, typesAllowing } from '../../contracts/capabilities.js';

describe('durations', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['7d', 604800],
    ['45', 45],
  ])('parses %s', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(['', '2x', '-1h', '1.5h', 'h'])('refuses %j', (text) =>
    expect(parseDurationSeconds(text)).toBeNull(),
  );

  it('bounds timeouts between 1 second and 365 days', () => {
    expect(TimeoutSeconds.parse('2h')).toBe(7200);
    expect(TimeoutSeconds.safeParse(0).success).toBe(false);
    expect(TimeoutSeconds.safeParse('400d').success).toBe(false);
  });

  it('formats for people', () => {
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(3725)).toBe('1h 2m');
    expect(formatDuration(90000)).toBe('1d 1h');
  });
});

describe('session ids', () => {
  it('are sess_ and six lowercase alphanumerics', () => {
    let n = 0;
    const id = newSessionId(() => n++ * 7);
    expect(id).toMatch(SESSION_ID_PATTERN);
  });

  it('skip the biased tail of the byte range', () => {
    const bytes = [255, 253, 252, 0, 1, 2, 3, 4, 5];
    expect(newSessionId(() => bytes.shift()!)).toBe('sess_abcdef');
  });
});

describe('capabilities', () => {
  it('follow the session types of the design', () => {
    expect(sessionCan('development', 'nanocycle:create')).toBe(true);
    expect(sessionCan('review', 'nanocycle:create')).toBe(false);
    expect(sessionCan('planning', 'code:execute')).toBe(false);
    expect(sessionCan('review', 'merge:approve')).toBe(true);
    expect(typesAllowing('plan:draft')).toEqual(['planning']);
  });
});
