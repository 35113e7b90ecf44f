import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ProjectCreate, ProjectUpdate } from '../../contracts/project.js';
import { SessionId } from '../../contracts/ids.js';
import { UsageError } from '../../cli/errors.js';
import { collectKey, collectPreference, preferenceChanges } from '../../cli/option-parsers.js';
import { validateRequest, validateValue } from '../../cli/request-validation.js';

describe('--pref key=value', () => {
  it('collects repeated flags into one record, splitting at the first "="', () => {
    let prefs = collectPreference('editor=vim');
    prefs = collectPreference('greeting=a=b', prefs);
    prefs = collectPreference('empty=', prefs);
    expect(prefs).toEqual({ editor: 'vim', greeting: 'a=b', empty: '' });
  });

  it('lets a later flag win for the same key', () => {
    expect(collectPreference('k=2', collectPreference('k=1'))).toEqual({ k: '2' });
  });

  it('refuses a value without a key or without "="', () => {
    expect(() => collectPreference('novalue')).toThrow(InvalidArgumentError);
    expect(() => collectPreference('=x')).toThrow(InvalidArgumentError);
  });

  it('works as a commander option parser', () => {
    const command = new Command().exitOverride().option('--pref <key=value>', '', collectPreference);
    command.parse(['--pref', 'a=1', '--pref', 'b=2'], { from: 'user' });
    expect(command.opts().pref).toEqual({ a: '1', b: '2' });
  });
});

describe('--unset-pref and the update shape', () => {
  it('maps removed keys to null beside the set ones', () => {
    expect(preferenceChanges({ a: '1' }, collectKey('b', collectKey('c')))).toEqual({
      a: '1',
      c: null,
      b: null,
    });
  });

  it('sends nothing when neither flag is given', () => {
    expect(preferenceChanges(undefined, undefined)).toBeUndefined();
  });

  it('refuses a key both set and removed', () => {
    expect(() => preferenceChanges({ a: '1' }, ['a'])).toThrow(UsageError);
  });
});

describe('client-side validation with the contracts schemas', () => {
  const flags = {
    name: 'NAME',
    repository: '--repo',
    defaultBranch: '--branch',
    activeTimeout: '--active-timeout',
  };

  it('accepts a good project and turns durations into seconds', () => {
    const body = validateRequest(
      ProjectCreate,
      { name: 'my-app', repository: '/srv/git/app.git', defaultBranch: 'main', activeTimeout: '2h' },
      flags,
    );
    expect(body).toMatchObject({ name: 'my-app', activeTimeout: 7200 });
  });

  it('names the flag to fix for a branch beginning with "-" and an ext:: URL', () => {
    expect(() =>
      validateRequest(ProjectCreate, { name: 'a', repository: '/r', defaultBranch: '-x' }, flags),
    ).toThrow(/^--branch: branch name begins with "-"/);
    expect(() => validateRequest(ProjectCreate, { name: 'a', repository: 'ext::sh' }, flags)).toThrow(
      /^--repo: repository URL uses a "transport::address"/,
    );
    expect(() =>
      validateRequest(ProjectCreate, { name: 'a', repository: '/r', activeTimeout: 'soon' }, flags),
    ).toThrow(/--active-timeout: a timeout is/);
  });

  it('lists every problem at once', () => {
    try {
      validateRequest(ProjectUpdate, { repository: 'ext::sh', defaultBranch: 'a..b' }, flags);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).detail).toMatch(/--repo: .*; --branch: /);
    }
  });

  it('checks a positional session id', () => {
    expect(validateValue(SessionId, 'sess_a1b2c3', 'ID')).toBe('sess_a1b2c3');
    expect(() => validateValue(SessionId, 'sess_A1', 'ID')).toThrow(
      'ID: a session id looks like sess_a1b2c3',
    );
  });
});
