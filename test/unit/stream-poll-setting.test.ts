import { describe, expect, it } from 'vitest';
import { safetyPollMs } from '../../api/sse-by-sequence.js';

describe('TEVIS_STREAM_POLL_MS', () => {
  it('defaults to 5 s, takes a whole number of milliseconds, and 0 turns the poll off', () => {
    expect(safetyPollMs({})).toBe(5000);
    expect(safetyPollMs({ TEVIS_STREAM_POLL_MS: '' })).toBe(5000);
    expect(safetyPollMs({ TEVIS_STREAM_POLL_MS: '250' })).toBe(250);
    expect(safetyPollMs({ TEVIS_STREAM_POLL_MS: '0' })).toBe(0);
  });

  it('ignores what is not a whole number of milliseconds', () => {
    for (const bad of ['-1', '1.5', 'soon', ' '])
      expect(safetyPollMs({ TEVIS_STREAM_POLL_MS: bad }), bad).toBe(5000);
  });
});
