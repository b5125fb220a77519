import { optionError } from '../option-error.js';

/** Tells whether a path in normal form is one of the allowed URLs. */
export type UrlMatcher = (path: string) => boolean;

/** `%XX` of an unreserved character (letters, digits, `-._~`) or of `/` and `\`, in either case of hex. */
const ENCODED_PLAIN_CHARACTER = /%(?:3[0-9]|[46][1-9a-f]|[57][0-9a]|2[def]|5[cf]|7e)/i;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a raw path is in normal form, the only form a rule may let through: it starts with `/`, has no
 * `//`, no `\`, no `.` or `..` segment, no percent-encoded letter, digit, `-._~`, `/` or `\`, and its escapes
 * decode. Routers match the raw path (`@koa/router`, `koa-mount` do not decode it), so `/%68ealthz` is not
 * `/healthz` to them and `/api/../healthz` is under `/api`: a rule must never read such a path as another.
 * Encoded non-ASCII (`/caf%C3%A9`) and other reserved characters stay eligible and are matched as written.
 */
export function isNormalPath(path: string): boolean {
  if (path[0] !== '/' || path.includes('//') || path.includes('\\') || DOT_SEGMENT.test(path)) return false;
  return !path.includes('%') || (!ENCODED_PLAIN_CHARACTER.test(path) && decodes(path));
}

/**
 * `ctx.path`, or `undefined` when Koa cannot read a path from the request target: it throws on some
 * (`http://[::1/x`), and gives `null` for others that Node accepts (`GET http://`, `GET foo://`).
 */
export function readPath(ctx: { readonly path: unknown }): string | undefined {
  try {
    const path = ctx.path;
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The path the rules see: the raw path, as routers see it, when it is in normal form; else `undefined`. */
export function pathForRules(rawPath: string | undefined): string | undefined {
  return rawPath !== undefined && isNormalPath(rawPath) ? rawPath : undefined;
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

/** Tells whether a request (its method, its path in normal form, whether it asks to upgrade) is a health check. */
export type HealthPathMatcher = (method: string, path: string, upgrade: boolean) => boolean;

/** Probes read; a write to a health path is no health check, and a router may send it to another handler. */
const PROBE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const NEVER: HealthPathMatcher = () => false;

/**
 * Compiles `healthPaths` (`[]` turns it off) into a set of paths in normal form, matched exactly against the
 * raw path for a plain GET or HEAD: `/healthz/`, `/%68ealthz` or `/healthz-debug` never pass, and neither does
 * an upgrade (a WebSocket to `/healthz` is a connection to the app, not a probe).
 */
export function compileHealthPaths(entries: readonly unknown[]): HealthPathMatcher {
  const paths = new Set<string>();
  entries.forEach((path: unknown, index) => {
    if (typeof path !== 'string' || /[?#]/.test(path) || !isNormalPath(path)) {
      throw optionError(`healthPaths[${index}]`, path, 'is not a path starting with "/" in normal form (no "?", "#", "//", "\\", dot segments, percent-encoded letters, digits, "-._~" or separators)');
    }
    paths.add(path);
  });
  if (paths.size === 0) return NEVER;
  return (method, path, upgrade) => !upgrade && PROBE_METHODS.has(method) && paths.has(path);
}
