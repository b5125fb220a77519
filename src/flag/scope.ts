/**
 * A part of a site in maintenance: some paths, some host names, some values of a context property (a tenant).
 * Written by `unleash-maintenance on --path/--host/--property` as one strategy's constraints, read back by the
 * admin client (`status`, `off --path`) and by the middleware (the areas closed elsewhere, announcements).
 *
 * Within a scope, several values of one kind are alternatives (`--path /checkout --path /cart`: either), and
 * kinds narrow each other (`--path /checkout --host shop.example.com`: both), as Unleash reads the constraints:
 * values within a constraint are ORed, constraints are ANDed.
 */
export interface MaintenanceScope {
  /** Areas in normal form, lowercase, without the trailing slash: `/checkout` closes it and everything below it. */
  readonly paths: readonly string[];
  /** Host names as the `hostname` context field holds them: lowercase, no port, no trailing dot. */
  readonly hosts: readonly string[];
  /** Context properties the app supplies through `context(ctx)`, each with the values it closes. */
  readonly properties: Readonly<Record<string, readonly string[]>>;
}

/** A constraint as Unleash's Admin API and client API write it. */
export interface ScopeConstraint {
  readonly contextName: string;
  readonly operator: 'STR_STARTS_WITH' | 'IN';
  readonly values: readonly string[];
  readonly inverted: false;
  readonly caseInsensitive: boolean;
}

/**
 * The context field the middleware fills with the path as every router's match reduces to it (`routePathOf`).
 * A path scope is `routePath STR_STARTS_WITH /checkout/`: no operator Unleash 7.5 and 8 both accept matches
 * "`/checkout`, or below it, in any case" on the raw path (`IN` is exact and case-sensitive; `STR_STARTS_WITH
 * /checkout` also closes `/checkouts`; `REGEX` is behind an experimental flag, off by default, in 7.5 and 8.2, and false in clients that lack it).
 */
export const ROUTE_PATH_FIELD = 'routePath';
export const HOSTNAME_FIELD = 'hostname';
/** Fields a `--property` may not name: each has its own option, or is the middleware's. */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([ROUTE_PATH_FIELD, HOSTNAME_FIELD, 'path', 'currentTime']);

/** `%XX` of a character no router tells apart from the character itself (RFC 3986 unreserved), or of a separator. */
const ENCODED = /%([0-9A-Fa-f]{2})/g;
const DECODED_BY_ROUTERS = /^[A-Za-z0-9\-._~/\\]$/;

/**
 * The path as routers match it, widened so that a scope closes every spelling any of them serves from the
 * area: unreserved characters and separators decoded once (`/%63heckout`), `\` read as `/`, empty and `.`
 * segments dropped (`//checkout`, `/./checkout`), lowercase (`@koa/router` ignores case by default), and
 * ending in `/` (it ignores a trailing slash; `/checkout/` then starts `/checkout/pay/` but not `/checkouts/`).
 * A `..` segment stays a segment, never taking the path out of the area it is written under: routers match the
 * raw path, so `/checkout/..` is a step of `/checkout/:step` and `/checkout/%2e%2e/cart` a page of
 * `koa-mount('/checkout')` (as `/api/../healthz` is under `/api` to the rules).
 */
export function routePathOf(rawPath: string): string {
  const decoded = rawPath.replace(ENCODED, (escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return DECODED_BY_ROUTERS.test(char) ? char : escape;
  });
  const segments: string[] = [];
  for (const segment of decoded.toLowerCase().split(/[/\\]/)) {
    if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return `/${segments.map((segment) => `${segment}/`).join('')}`;
}

/** The constraints that close a scope, in a stable order; `[]` for the whole site. */
export function scopeConstraints(scope: MaintenanceScope): ScopeConstraint[] {
  const constraints: ScopeConstraint[] = [];
  const add = (contextName: string, operator: ScopeConstraint['operator'], values: readonly string[], caseInsensitive = false) => {
    if (values.length > 0) constraints.push({ contextName, operator, values: [...values], inverted: false, caseInsensitive });
  };
  add(ROUTE_PATH_FIELD, 'STR_STARTS_WITH', scope.paths.map((path) => `${path}/`), true);
  add(HOSTNAME_FIELD, 'IN', scope.hosts);
  for (const name of Object.keys(scope.properties).sort()) add(name, 'IN', scope.properties[name]!);
  return constraints;
}

const DATE_OPERATORS: ReadonlySet<unknown> = new Set(['DATE_AFTER', 'DATE_BEFORE']);

interface LooseConstraint {
  contextName?: unknown;
  operator?: unknown;
  values?: unknown;
  inverted?: unknown;
}

function stringValues(constraint: LooseConstraint): string[] | undefined {
  const { values } = constraint;
  return Array.isArray(values) && values.every((value) => typeof value === 'string') ? (values as string[]) : undefined;
}

/**
 * The scope a strategy's constraints close, read as `scopeConstraints` writes them (and as the same
 * constraints typed in the Unleash UI); `undefined` when nothing but time narrows it: the whole site.
 * Constraints of another form (`NOT_IN`, `STR_CONTAINS`, two on one field) narrow it in ways a scope cannot
 * say; `unread` counts them, so the description never claims more than it knows.
 */
export function scopeOfConstraints(constraints: unknown): { scope: MaintenanceScope; unread: number } | undefined {
  if (!Array.isArray(constraints)) return undefined;
  let paths: string[] = [];
  let hosts: string[] = [];
  const properties: Record<string, string[]> = {};
  let unread = 0;
  for (const constraint of constraints as (LooseConstraint | null)[]) {
    if (constraint === null || typeof constraint !== 'object' || DATE_OPERATORS.has(constraint.operator)) continue;
    const values = constraint.inverted === true ? undefined : stringValues(constraint);
    const field = constraint.contextName;
    if (values && field === ROUTE_PATH_FIELD && constraint.operator === 'STR_STARTS_WITH' && paths.length === 0) {
      paths = values.map((value) => value.toLowerCase().replace(/\/+$/, '') || '/');
    } else if (values && field === HOSTNAME_FIELD && constraint.operator === 'IN' && hosts.length === 0) {
      hosts = [...values];
    } else if (values && typeof field === 'string' && constraint.operator === 'IN' && !RESERVED_PROPERTIES.has(field) && !Object.hasOwn(properties, field)) {
      properties[field] = [...values];
    } else {
      unread += 1;
    }
  }
  if (paths.length + hosts.length + Object.keys(properties).length + unread === 0) return undefined;
  return { scope: { paths, hosts, properties }, unread };
}

/** One text per scope, the same however its values were ordered: what tells two scopes apart. */
export function scopeKey(scope: MaintenanceScope | undefined): string {
  if (!scope) return '';
  const properties = Object.keys(scope.properties).sort().map((name) => [name, [...scope.properties[name]!].sort()]);
  return JSON.stringify([[...scope.paths].sort(), [...scope.hosts].sort(), properties]);
}

/**
 * `/checkout, /cart on shop.example.com for tenant acme`; `the whole site` without a scope; with `unread`
 * constraints (`scopeOfConstraints`), says so: `/checkout (+1 condition)`.
 */
export function describeScope(scope: MaintenanceScope | undefined, unread = 0): string {
  if (!scope) return 'the whole site';
  const parts: string[] = [];
  if (scope.paths.length > 0) parts.push(scope.paths.join(', '));
  if (scope.hosts.length > 0) parts.push(`${parts.length ? 'on ' : ''}${scope.hosts.join(', ')}`);
  for (const [name, values] of Object.entries(scope.properties)) parts.push(`${parts.length ? 'for ' : ''}${name} ${values.join(', ')}`);
  const described = parts.join(' ') || 'part of the site';
  return unread > 0 ? `${described} (+${unread} condition${unread > 1 ? 's' : ''})` : described;
}
