import { describe, expect, it } from 'vitest';
import { unsharedSecretNotes } from '../../cli/scale-out-environment.js';
import { loadConfig } from '../../runtime/config.js';

const HOME = '/srv/tevis-api-a';
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('what tevis api and tevis worker say about the secrets a deployment shares', () => {
  it('an API without a token or a codec key names both, where each comes from, and the fix', () => {
    const notes = unsharedSecretNotes('api', loadConfig({ TEVIS_HOME: HOME }));
    expect(notes).toEqual([
      expect.stringContaining(`no TEVIS_API_TOKEN: this API uses the token in ${HOME}/api-token`),
      expect.stringContaining(
        `no TEVIS_TEMPORAL_CODEC_KEY: this api seals Temporal payloads with the key in ${HOME}/temporal-codec.key`,
      ),
    ]);
    expect(notes[0]).toContain('set TEVIS_API_TOKEN on each');
    expect(notes[1]).toContain('set TEVIS_TEMPORAL_CODEC_KEY on each');
  });

  it('a worker has no token to share; given both secrets, nothing is said, and no secret is ever in a note', () => {
    expect(unsharedSecretNotes('worker', loadConfig({ TEVIS_HOME: HOME }))).toEqual([
      expect.stringContaining('no TEVIS_TEMPORAL_CODEC_KEY: this worker'),
    ]);
    const config = loadConfig({
      TEVIS_HOME: HOME,
      TEVIS_API_TOKEN: 's3cret-token',
      TEVIS_TEMPORAL_CODEC_KEY: KEY,
    });
    expect(unsharedSecretNotes('api', config)).toEqual([]);
    expect(unsharedSecretNotes('worker', config)).toEqual([]);
    const partly = loadConfig({ TEVIS_HOME: HOME, TEVIS_API_TOKEN: 's3cret-token' });
    expect(unsharedSecretNotes('api', partly).join('\n')).not.toContain('s3cret-token');
  });
});
