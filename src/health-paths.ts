import { optionError } from './option-error.js';
import { isNormalPath } from './path-matcher.js';

/** Tells whether a request (its method, and its path in normal form) is a health check. */
export type HealthPathMatcher = (method: string, path: string) => boolean;

export const DEFAULT_HEALTH_PATHS: readonly string[] = Object.freeze(['/healthz', '/readyz', '/livez']);

/** Probes read; a write to a health path is no health check, and a router may send it to another handler. */
const PROBE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const NEVER: HealthPathMatcher = () => false;

/**
 * Compiles `healthPaths` (default `/healthz`, `/readyz`, `/livez`; `[]` turns it off) into a set of paths in
 * normal form, matched exactly against the raw path for GET and HEAD: `/healthz/`, `/%68ealthz` or
 * `/healthz-debug` never pass.
 */
export function compileHealthPaths(option: unknown): HealthPathMatcher {
  if (option === undefined) option = DEFAULT_HEALTH_PATHS;
  if (!Array.isArray(option)) throw optionError('healthPaths', option, 'is not an array of paths');
  const paths = new Set<string>();
  option.forEach((path: unknown, index) => {
    if (typeof path !== 'string' || /[?#]/.test(path) || !isNormalPath(path)) {
      throw optionError(`healthPaths[${index}]`, path, 'is not a path starting with "/" in normal form (no "?", "#", "//", "\\", dot segments, percent-encoded letters, digits, "-._~" or separators)');
    }
    paths.add(path);
  });
  if (paths.size === 0) return NEVER;
  return (method, path) => PROBE_METHODS.has(method) && paths.has(path);
}
