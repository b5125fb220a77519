import { posix } from 'node:path';
import { optionError } from './option-error.js';

/** Tells whether a canonical path is one of the allowed URLs. */
export type UrlMatcher = (canonicalPath: string) => boolean;

/** Percent-decodes once, reads backslashes as slashes, and makes the path absolute; `undefined` if undecodable. */
function decodeOnce(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const slashed = decoded.replaceAll('\\', '/');
  return slashed.startsWith('/') ? slashed : `/${slashed}`;
}

/**
 * The canonical form of a path: percent-decoded once (so `%2F` is a separator and `%61` is `a`), backslashes
 * read as slashes (as browsers and some proxies do), dot segments resolved and repeated slashes collapsed.
 * `/admin/../private` is `/private`, `//admin` is `/admin`. `undefined` when the path cannot be decoded.
 */
export function canonicalPath(path: string): string | undefined {
  const decoded = decodeOnce(path);
  return decoded === undefined ? undefined : posix.normalize(decoded);
}

/**
 * The path that allowed-URL and health-path rules see: the canonical path, but only when the request's path
 * already is canonical once decoded. A path with `.` or `..` segments, `//` or `\` is `undefined` (never
 * allowed): the gate would read `/api/../healthz` as `/healthz` while a router mounted on `/api` takes it
 * as its own, so such a path must not be let through on the strength of a rule.
 */
export function pathForRules(path: string): string | undefined {
  const decoded = decodeOnce(path);
  if (decoded === undefined) return undefined;
  return posix.normalize(decoded) === decoded ? decoded : undefined;
}

function compilePattern(pattern: unknown, index: number): RegExp {
  const path = `allowedUrls[${index}]`;
  if (pattern instanceof RegExp) {
    if (pattern.global || pattern.sticky) {
      throw optionError(path, pattern, 'has the g or y flag, which makes test() remember lastIndex between requests');
    }
    return new RegExp(pattern.source, pattern.flags);
  }
  if (typeof pattern !== 'string') throw optionError(path, pattern, 'is not a RegExp or a regular expression source string');
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw optionError(path, pattern, `is not a valid regular expression (${(error as Error).message})`);
  }
}

/** Compiles the allowed-URL patterns once; copies of the given RegExps, so the caller's objects are never touched. */
export function compileUrlMatcher(patterns: readonly unknown[]): UrlMatcher {
  const compiled = patterns.map(compilePattern);
  if (compiled.length === 0) return () => false;
  return function isAllowedUrl(path: string): boolean {
    for (const pattern of compiled) if (pattern.test(path)) return true;
    return false;
  };
}
