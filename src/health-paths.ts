import { optionError } from './option-error.js';
import { canonicalPath } from './path-matcher.js';

/** Tells whether a canonical path is one of the health-check paths. */
export type HealthPathMatcher = (canonicalPath: string) => boolean;

export const DEFAULT_HEALTH_PATHS: readonly string[] = Object.freeze(['/healthz', '/readyz', '/livez']);

const NEVER: HealthPathMatcher = () => false;

/**
 * Compiles `healthPaths` (default `/healthz`, `/readyz`, `/livez`; `[]` turns it off) into a set of canonical
 * paths: exact matches only, so `/healthz/../admin` (which is `/admin`) or `/healthz-debug` never pass.
 */
export function compileHealthPaths(option: unknown): HealthPathMatcher {
  if (option === undefined) option = DEFAULT_HEALTH_PATHS;
  if (!Array.isArray(option)) throw optionError('healthPaths', option, 'is not an array of paths');
  const paths = new Set<string>();
  option.forEach((path: unknown, index) => {
    const canonical = typeof path === 'string' && path.startsWith('/') && !/[?#]/.test(path) ? canonicalPath(path) : undefined;
    if (canonical === undefined) throw optionError(`healthPaths[${index}]`, path, 'is not a path starting with "/" (without "?" or "#")');
    paths.add(canonical);
  });
  if (paths.size === 0) return NEVER;
  return (path) => paths.has(path);
}
