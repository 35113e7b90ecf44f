import { z } from 'zod';

/**
 * Repository URLs and branch names reach `git` as arguments, so they are validated here — once,
 * for the API, the CLI and the activities alike — before git ever sees them.
 */

const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-][A-Za-z0-9._~/+-]*$/;
const ALLOWED_SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:', 'file:']);

export type RepositoryUrlProblem = string | null;

/** Returns why `url` is not an acceptable repository location, or null when it is. */
export function repositoryUrlProblem(url: string): RepositoryUrlProblem {
  if (url.length === 0) return 'is empty';
  if (url.length > 2048) return 'is longer than 2048 characters';
  if (/[\s\x00-\x1f\x7f]/.test(url)) return 'contains whitespace or control characters';
  if (url.startsWith('-')) return 'begins with "-", which git would read as an option';
  // git's "<transport>::<address>" form runs arbitrary helpers (ext:: runs a shell command).
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url))
    return 'uses a "transport::address" remote helper, which is not allowed';
  if (url.startsWith('/'))
    return url.includes('/../') || url.endsWith('/..') ? 'must not contain ".." segments' : null;
  if (SCP_LIKE.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is neither an absolute path, a URL (https, http, ssh, git, file) nor user@host:path';
  }
  if (!ALLOWED_SCHEMES.has(parsed.protocol))
    return `uses the scheme "${parsed.protocol.replace(/:$/, '')}"; allowed are https, http, ssh, git and file`;
  if (parsed.password || (parsed.username && parsed.protocol !== 'ssh:')) {
    return 'contains credentials; configure a git credential helper or an SSH key for the worker instead';
  }
  if (parsed.protocol !== 'file:' && !parsed.hostname) return 'has no host';
  // ssh would read a host or user beginning with "-" as an option (ssh://-oProxyCommand=…/).
  if (parsed.hostname.startsWith('-') || /^(-|%2d)/i.test(parsed.username))
    return 'has a host or user beginning with "-"';
  return null;
}

/** Same rules as `git check-ref-format --branch`, plus no leading "-" so it can never be an option. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 200) return 'is longer than 200 characters';
  if (name.startsWith('-')) return 'begins with "-", which git would read as an option';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name))
    return 'contains a space, control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name === '@') return 'is "@"';
  if (name.includes('//')) return 'contains "//"';
  if (name.startsWith('/') || name.endsWith('/')) return 'begins or ends with "/"';
  if (name.endsWith('.')) return 'ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'has a path component beginning with "."';
    if (part.endsWith('.lock')) return 'has a path component ending with ".lock"';
  }
  return null;
}

/** A nanocycle's own branch as `nanocycleBranch` makes it: `feat/nc-007-auth-system`. */
const NANOCYCLE_BRANCH = /^feat\/nc-\d{3,}-[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Why `name` is not a nanocycle branch Tevis may push, or null. Pushes of nanocycle work go
 * only to such branches, so a push policy that sends them can never reach a base branch.
 */
export function nanocycleBranchProblem(name: string): string | null {
  return (
    branchNameProblem(name) ??
    (NANOCYCLE_BRANCH.test(name) ? null : 'is not a nanocycle branch (feat/nc-NNN-name)')
  );
}

/*
 * A refine never shows in JSON Schema. Each schema below carries the part of its rules a pattern
 * can say (what every accepted value matches) and describes the rest, so the OpenAPI document is
 * true to what the API accepts.
 */
const NO_SPACE = String.raw`\s\x00-\x1f\x7f`;
const NOT_IN_BRANCH = String.raw`\x00-\x20\x7f~^:?*\[\\`;

export const RepositoryUrl = z
  .string()
  .superRefine((value, ctx) => {
    const problem = repositoryUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `repository URL ${problem}` });
  })
  .meta({
    minLength: 1,
    maxLength: 2048,
    // How it begins: a path, an allowed scheme (any case: URL parsing lowercases it), or user@host:.
    pattern:
      `^(?:/|(?:[Hh][Tt][Tt][Pp][Ss]?|[Ss][Ss][Hh]|[Gg][Ii][Tt]|[Ff][Ii][Ll][Ee]):|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)` +
      `[^${NO_SPACE}]*$`,
    description:
      'An absolute path, a URL with scheme https, http, ssh, git or file, or user@host:path. No whitespace or control characters, no leading "-", ' +
      'no "transport::address" helper, no ".." segment in a path, no credentials in the URL, and a host that does not begin with "-".',
  });

export const BranchName = z
  .string()
  .superRefine((value, ctx) => {
    const problem = branchNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `branch name ${problem}` });
  })
  .meta({
    minLength: 1,
    maxLength: 200,
    pattern: `^[^-/.${NOT_IN_BRANCH}]([^${NOT_IN_BRANCH}]*[^/.${NOT_IN_BRANCH}])?$`,
    description:
      'A git branch name (`git check-ref-format --branch`): no space, control character or any of ~ ^ : ? * [ \\; not beginning with "-", "/" or "."; ' +
      'not ending with "/" or "."; no "..", "@{" or "//"; not "@"; no path component beginning with "." or ending with ".lock".',
  });

/** Strips any userinfo from URLs inside free text (git error messages), so no credential is logged. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
