import { describe, expect, it } from 'vitest';
import {
  branchNameProblem,
  nanocycleBranchProblem,
  redactCredentials,
  repositoryUrlProblem,
} from '../../contracts/git-inputs.js';
import { nanocycleBranch } from '../../contracts/nanocycle.js';

describe('repositoryUrlProblem', () => {
  it.each([
    'https://example.com/org/repo.git',
    'ssh://git@example.com/org/repo.git',
    'git@example.com:org/repo.git',
    '/srv/git/repo.git',
    'file:///srv/git/repo.git',
    'git://example.com/repo',
  ])('accepts %s', (url) => expect(repositoryUrlProblem(url)).toBeNull());

  it.each([
    ['ext::sh -c touch% /tmp/pwned', /whitespace|transport/],
    ['ext::sh', /transport::address/],
    ['fd::17', /transport::address/],
    ['-uhttps://x', /begins with "-"/],
    ['--upload-pack=touch /tmp/x', /begins with "-"|whitespace/],
    ['https://user:secret@example.com/repo.git', /credentials/],
    ['ftp://example.com/repo', /scheme "ftp"/],
    ['relative/path', /neither/],
    ['/srv/../etc', /\.\./],
    ['', /empty/],
    ['https://example.com/a\nb', /control/],
  ])('refuses %s', (url, why) => expect(repositoryUrlProblem(url)).toMatch(why));
});

describe('branchNameProblem', () => {
  it.each(['main', 'feat/nc-007-auth', 'release-1.2', 'user/x_y'])('accepts %s', (name) =>
    expect(branchNameProblem(name)).toBeNull(),
  );

  it.each([
    '-x',
    '--help',
    'a..b',
    'x.lock',
    'a b',
    '@{x}',
    'a:b',
    'a~1',
    '/x',
    'x/',
    'x.',
    'a//b',
    '.hidden',
    'a/.b',
    '@',
    '',
  ])('refuses %j', (name) => expect(branchNameProblem(name)).not.toBeNull());
});

describe('redactCredentials', () => {
  it('removes userinfo from URLs in free text', () => {
    expect(redactCredentials("fatal: could not read from 'https://bob:s3cret@example.com/r.git'")).toBe(
      "fatal: could not read from 'https://***@example.com/r.git'",
    );
  });
  it('leaves text without credentials alone', () => {
    expect(redactCredentials('git@example.com:org/repo.git not found')).toBe(
      'git@example.com:org/repo.git not found',
    );
  });
});

describe('nanocycleBranchProblem', () => {
  it('accepts the branches nanocycles get, and nothing a push could aim at a base branch', () => {
    expect(nanocycleBranchProblem(nanocycleBranch('NC-007', 'auth-system'))).toBeNull();
    expect(nanocycleBranchProblem('feat/nc-1234-x')).toBeNull();
    for (const name of [
      'main',
      'feat/login',
      'feat/nc-01-x',
      'feat/nc-001-',
      'feat/nc-001-x/../main',
      'feat/nc-001-UPPER',
      'refs/heads/feat/nc-001-x',
      '-feat/nc-001-x',
    ]) {
      expect(nanocycleBranchProblem(name), name).not.toBeNull();
    }
  });
});
