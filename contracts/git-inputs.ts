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
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return 'uses a "transport::address" remote helper, which is not allowed';
  if (url.startsWith('/')) return url.includes('/../') || url.endsWith('/..') ? 'must not contain ".." segments' : null;
  if (SCP_LIKE.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is neither an absolute path, a URL (https, http, ssh, git, file) nor user@host:path';
  }
  if (!ALLOWED_SCHEMES.has(parsed.protocol)) return `uses the scheme "${parsed.protocol.replace(/:$/, '')}"; allowed are https, http, ssh, git and file`;
  if (parsed.password || (parsed.username && parsed.protocol !== 'ssh:')) {
    return 'contains credentials; configure a git credential helper or an SSH key for the worker instead';
  }
  if (parsed.protocol !== 'file:' && !parsed.hostname) return 'has no host';
  // ssh would read a host or user beginning with "-" as an option (ssh://-oProxyCommand=…/).
  if (parsed.hostname.startsWith('-') || /^(-|%2d)/i.test(parsed.username)) return 'has a host or user beginning with "-"';
  return null;
}

/** Same rules as `git check-ref-format --branch`, plus no leading "-" so it can never be an option. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 200) return 'is longer than 200 characters';
  if (name.startsWith('-')) return 'begins with "-", which git would read as an option';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'contains a space, control character or one of ~ ^ : ? * [ \\';
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

export const RepositoryUrl = z.string().superRefine((value, ctx) => {
  const problem = repositoryUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `repository URL ${problem}` });
});

export const BranchName = z.string().superRefine((value, ctx) => {
  const problem = branchNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `branch name ${problem}` });
});

/** Strips any userinfo from URLs inside free text (git error messages), so no credential is logged. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
