import { RESERVED_PROPERTIES, routePathOf, type MaintenanceScope } from '../flag/scope.js';
import { ControlInputError } from './errors.js';

/** The part of the site `enable()` closes or `disable()` reopens; absent or empty: the whole site. */
export interface ScopeOptions {
  /** Areas such as `/checkout`: each closes itself and everything below it, in any case, with or without a trailing slash. */
  paths?: readonly string[];
  /** Host names such as `api.example.com`, matched exactly (as the `hostname` context field holds them). */
  hosts?: readonly string[];
  /** Context properties the app's `context(ctx)` supplies, each with the values to close: `{ tenant: ['acme'] }`. */
  properties?: Readonly<Record<string, string | readonly string[]>>;
}

const HOST_NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;
const FIELD_NAME = /^[A-Za-z_][\w.-]*$/;

/** Checks a scope before any request; `undefined` for the whole site. Each refusal names the option and the entry. */
export function resolveScope(options: ScopeOptions | undefined): MaintenanceScope | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new ControlInputError('scope', `must be an object, got ${JSON.stringify(options)}`);
  const paths = unique(listOf(options.paths, 'scope.paths').map(scopePath));
  const hosts = unique(listOf(options.hosts, 'scope.hosts').map(scopeHost));
  const properties = scopeProperties(options.properties);
  if (paths.length + hosts.length + Object.keys(properties).length === 0) return undefined;
  return { paths, hosts, properties };
}

function listOf(value: unknown, option: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ControlInputError(option, `must be a list of texts, got ${JSON.stringify(value)}`);
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.trim() === '') throw new ControlInputError(`${option}[${index}]`, `must be a non-empty text, got ${JSON.stringify(entry)}`);
    return entry.trim();
  });
}

/** `/Checkout/` is `/checkout`: the scope's constraint holds every spelling a router serves from it anyway. */
function scopePath(path: string, index: number): string {
  const option = `scope.paths[${index}]`;
  if (!path.startsWith('/')) throw new ControlInputError(option, `must be a path starting with "/", got ${JSON.stringify(path)}`);
  if (/[?#\s]/.test(path)) throw new ControlInputError(option, `must be a path without query, fragment or spaces, got ${JSON.stringify(path)}`);
  if (/(?:^|[/\\])\.\.?(?:[/\\]|$)/.test(path)) throw new ControlInputError(option, `must be a path without "." or ".." segments, got ${JSON.stringify(path)}`);
  const normal = routePathOf(path).slice(0, -1);
  if (normal === '') throw new ControlInputError(option, `names the whole site (${JSON.stringify(path)}): leave the paths out instead`);
  return normal;
}

function scopeHost(host: string, index: number): string {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(name) && !IPV6_LITERAL.test(name)) {
    throw new ControlInputError(`scope.hosts[${index}]`, `must be a host name without port or scheme, such as api.example.com, got ${JSON.stringify(host)}`);
  }
  return name;
}

function scopeProperties(value: ScopeOptions['properties']): Record<string, string[]> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ControlInputError('scope.properties', `must be an object of property names and values, got ${JSON.stringify(value)}`);
  }
  const properties: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value)) {
    const option = `scope.properties.${name}`;
    if (!FIELD_NAME.test(name)) throw new ControlInputError(option, 'must be named like a context field: letters, digits, "_", ".", "-", not starting with a digit');
    if (RESERVED_PROPERTIES.has(name)) {
      throw new ControlInputError(option, 'is not a property to close: paths, host names and times have options of their own (paths, hosts, from/until)');
    }
    const list = listOf(typeof values === 'string' ? [values] : values, option);
    if (list.length > 0) properties[name] = unique(list);
  }
  return properties;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
