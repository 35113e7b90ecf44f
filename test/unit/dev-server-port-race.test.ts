import { describe, expect, it } from 'vitest';
import { lostInternalPortRace } from '../../runtime/temporal-dev-server.js';

const bindFailure = (port: number) =>
  new Error(
    `temporal server start-dev on 127.0.0.1:7233 exited with code 1 before it accepted connections\nLast output:\n` +
      `{"level":"FATAL","message":"listen tcp 127.0.0.1:${port}: bind: address already in use"}`,
  );

describe('a dev server start that lost a race for a port', () => {
  const opts = { port: 7233, uiPort: 8233 } as Parameters<typeof lostInternalPortRace>[1];

  it('is tried again when the port was one the server picked itself', () => {
    expect(lostInternalPortRace(bindFailure(41419), opts)).toBe(true);
  });

  it('is not when the port is one Tevis named: a person must free it', () => {
    expect(lostInternalPortRace(bindFailure(7233), opts)).toBe(false);
    expect(lostInternalPortRace(bindFailure(8233), opts)).toBe(false);
    // Without a UI port of its own the UI takes the API port + 1000; headless, it takes none.
    expect(lostInternalPortRace(bindFailure(8233), { ...opts, uiPort: undefined })).toBe(false);
    expect(lostInternalPortRace(bindFailure(8233), { ...opts, uiPort: undefined, headless: true })).toBe(
      true,
    );
  });

  it('is not for any other failure', () => {
    expect(lostInternalPortRace(new Error('exited with code 1: unknown flag --x'), opts)).toBe(false);
    expect(lostInternalPortRace('not an error', opts)).toBe(false);
  });
});
