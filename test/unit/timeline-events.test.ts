import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { checkTimelineEvent, TIMELINE_EVENT_TYPES, TimelineEvent } from '../../contracts/timeline.js';

const SESSION = 'sess_a1b2c3';

describe('timeline event schemas', () => {
  it('refuses an event whose data does not match its type', () => {
    expect(() =>
      checkTimelineEvent({ sessionId: SESSION, type: 'nanocycle.merged', data: { nanocycleId: 'NC-001' } }),
    ).toThrow(ZodError);
    expect(() =>
      checkTimelineEvent({ sessionId: SESSION, type: 'file.edited', data: { path: 'a.md', bytes: '12' } }),
    ).toThrow(ZodError);
  });

  it('keeps fields its schema does not name, so nothing another version wrote is lost', () => {
    const event = checkTimelineEvent({
      sessionId: SESSION,
      type: 'nanocycle.merged',
      data: { nanocycleId: 'NC-001', commit: 'abc', newer: 1 },
      key: 'k1',
    });
    expect(event).toEqual({
      sessionId: SESSION,
      type: 'nanocycle.merged',
      data: { nanocycleId: 'NC-001', commit: 'abc', newer: 1 },
      key: 'k1',
    });
  });

  it('gives an event without data empty data, where its type needs none', () => {
    expect(checkTimelineEvent({ sessionId: SESSION, type: 'session.active' }).data).toEqual({});
  });

  it('reads a stored event by its type', () => {
    const stored = {
      sessionId: SESSION,
      seq: 3,
      type: 'workspace.cloned',
      at: '2025-01-01T00:00:00.000Z',
      data: { path: '/w', startCommit: null, reused: false },
    };
    expect(TimelineEvent.parse(stored)).toEqual(stored);
    expect(() => TimelineEvent.parse({ ...stored, data: { path: '/w' } })).toThrow(ZodError);
    expect(() => TimelineEvent.parse({ ...stored, type: 'no.such' })).toThrow(ZodError);
    expect(TIMELINE_EVENT_TYPES).toContain(stored.type);
  });
});
