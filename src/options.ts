import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'koa';
import type { Context as UnleashContext } from 'unleash-client';
import type { BypassSecretOptions } from './bypass-secret.js';
import type { TrustProxy } from './client-ip.js';
import { optionSeconds, type Duration } from './duration.js';
import type { UnleashLike } from './flag.js';
import { checkLanguages, type Language } from './locales.js';
import { optionError } from './option-error.js';
import type { Locals } from './page.js';
import { DEFAULT_FLAG_NAME, DEFAULT_NOTICE_SECONDS, MAX_NOTICE_SECONDS } from './payload.js';
import type { MaintenanceLogger } from './reporter.js';
import { isMaintenanceMode, type MaintenanceMode, type MaintenanceState } from './state.js';
import { checkStatusPath } from './status-endpoint.js';

export interface MaintenanceOptions {
  /** Required. Your Unleash client (`new Unleash(...)` or `startUnleash(...)`). The middleware never creates, starts or destroys it. */
  unleash: UnleashLike;
  /** The flag that turns maintenance on. Default `'maintenance-mode'` (`DEFAULT_FLAG_NAME`). */
  flagName?: string;
  /**
   * Which proxies may report the client's address, as Express's "trust proxy": `false` (socket address only),
   * `true` (every hop), a hop count, addresses / CIDR ranges / `loopback` `linklocal` `uniquelocal` as an array
   * or comma-separated string, or `(address, hop) => boolean`. At most 16 trusted hops are walked: behind more
   * the client is unknown, and never bypassed. Default `false`.
   */
  trustProxy?: TrustProxy;
  /** Client addresses that are never blocked: addresses, IPv4/IPv6 CIDR ranges, named ranges. Default `[]`. */
  bypassIps?: readonly string[];
  /**
   * Paths that are never blocked: RegExps or regex sources, tested against the raw path (`ctx.path`, as routers
   * see it), and only when that path is in normal form (see README "What a rule sees"). Default `[]`.
   */
  allowedUrls?: readonly (RegExp | string)[];
  /** Seconds (a whole number) or a `Date`, sent as `Retry-After`. The variant payload wins. Default: none. */
  retryAfter?: number | Date;
  /** Folder of the Pug template. Default: the bundled `views/`. */
  views?: string;
  /** Template name within `views`, without `.pug`. Default `'maintenance'`. */
  view?: string;
  /** Extra template variables, or a function of the request that returns them. Default: none. */
  locals?: Locals;
  /** Requests for which maintenance never applies, e.g. `() => app.env === 'development'`. Default: none. */
  skip?: (ctx: Context) => boolean;
  /** Extra Unleash context (userId, sessionId, properties) merged over the defaults the middleware builds. */
  context?: (ctx: Context) => Partial<UnleashContext>;
  /** The answer while the flag's state is unknown (client not ready, flag absent, client throwing). Default `false`. */
  fallback?: boolean;
  /** `true`/`false` forces maintenance on/off without asking Unleash; `undefined` asks Unleash. Default `undefined`. */
  override?: boolean;
  /** Where warnings and errors go (at most one line per problem per minute). Default `console`. */
  logger?: MaintenanceLogger;
  /**
   * Called for every request that meets maintenance (let through by a rule or blocked), after the decision and
   * before the answer: count or log them here. Not called while maintenance is off. Errors are reported and ignored.
   */
  onDecision?: (ctx: Context, decision: MaintenanceState) => void;
  /**
   * A staff link that lets a browser through without a fixed IP: `GET <path>/<secret>` sets an HMAC-signed
   * cookie for `maxAge` and redirects to `/`; scripts send the secret in `X-Maintenance-Bypass` instead.
   * `{ secret, path = '/__maintenance/bypass', maxAge = '12h', cookieName = 'maintenance_bypass' }`; the secret
   * has at least 32 characters. Consulted only while maintenance is on. Default: off.
   */
  bypassSecret?: BypassSecretOptions;
  /**
   * `'block'`: every request meets the 503. `'read-only'`: GET, HEAD and OPTIONS pass (`ctx.state.maintenance.mode`
   * tells the app to show a banner), other methods get a 503 that says the site is read-only. The variant
   * payload's `mode` wins. Default `'block'`.
   */
  mode?: MaintenanceMode;
  /**
   * Paths (exact, in normal form) that GET and HEAD always pass, so orchestrators keep healthy instances.
   * `[]` turns it off. Default `['/healthz', '/readyz', '/livez']`.
   */
  healthPaths?: readonly string[];
  /**
   * Seconds (or `'30s'`, `'1m'`; at most a day) after which a waiting browser reloads: a `Refresh` header and a
   * meta refresh on the page, on answers to GET and HEAD only. Default: none.
   */
  refresh?: Duration;
  /**
   * The languages the default texts may be shown in, chosen by `Accept-Language`; the first is the fallback.
   * The variant payload's texts win over them. `['en']` turns negotiation off. Default `['en', 'de', 'fr', 'es']`.
   */
  languages?: readonly Language[];
  /**
   * How long before a scheduled window (a strategy constraint `currentTime DATE_AFTER …`) requests get
   * `ctx.state.maintenance.upcoming`, unless the window's payload says (`unleash-maintenance on --notice`).
   * Seconds or `'30m'`, `'24h'`, `'7d'` (at most 30 days). Default `'24h'`.
   */
  notice?: Duration;
  /**
   * A path that answers GET and HEAD with the maintenance status as JSON (`{ active, mode, from?, until?,
   * title?, message?, retryAfter? }`, `no-store`) whether maintenance is off, on or upcoming, e.g.
   * `'/maintenance.json'`. Default: none.
   */
  statusPath?: string;
}

/**
 * The options checked and with every default filled in (each default is written here and nowhere else).
 * List entries (`bypassIps`, `allowedUrls`, `healthPaths`, `trustProxy`, `bypassSecret`) are checked entry by
 * entry where they are compiled, once, when `maintenance()` builds its parts.
 */
export interface Settings {
  unleash: UnleashLike;
  flagName: string;
  trustProxy: TrustProxy;
  bypassIps: readonly unknown[];
  allowedUrls: readonly unknown[];
  retryAfter: number | Date | undefined;
  viewsDir: string;
  view: string;
  locals: Locals | undefined;
  skip: ((ctx: Context) => boolean) | undefined;
  context: ((ctx: Context) => Partial<UnleashContext>) | undefined;
  fallback: boolean;
  override: boolean | undefined;
  logger: MaintenanceLogger;
  onDecision: ((ctx: Context, decision: MaintenanceState) => void) | undefined;
  bypassSecret: unknown;
  mode: MaintenanceMode;
  healthPaths: readonly unknown[];
  refresh: number | undefined;
  languages: readonly Language[];
  noticeSeconds: number;
  statusPath: string | undefined;
}

const DEFAULT_HEALTH_PATHS: readonly string[] = Object.freeze(['/healthz', '/readyz', '/livez']);

export const BUNDLED_VIEWS = fileURLToPath(new URL('../views/', import.meta.url));

const KNOWN_OPTIONS = new Set([
  'unleash', 'flagName', 'trustProxy', 'bypassIps', 'allowedUrls', 'retryAfter', 'views', 'view',
  'locals', 'skip', 'context', 'fallback', 'override', 'logger', 'onDecision',
  'bypassSecret', 'mode', 'healthPaths', 'refresh', 'languages', 'notice', 'statusPath',
]);

function checkUnleash(unleash: unknown): UnleashLike {
  const client = unleash as Partial<UnleashLike> | undefined;
  if (typeof client?.isEnabled !== 'function' || typeof client.getVariant !== 'function') {
    throw optionError('unleash', unleash, 'is not an Unleash client (it needs isEnabled() and getVariant()); pass the instance from new Unleash(...) or startUnleash(...)');
  }
  return client as UnleashLike;
}

function optionalFunction<T>(name: string, value: unknown): T | undefined {
  if (value === undefined || typeof value === 'function') return value as T | undefined;
  throw optionError(name, value, 'is not a function');
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw optionError(name, value, 'is not true or false');
}

function nonEmptyString(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw optionError(name, value, 'is not a non-empty string');
}

function list(name: string, value: unknown, fallback: readonly unknown[] = [], expected = 'is not an array'): readonly unknown[] {
  if (value === undefined) return fallback;
  if (Array.isArray(value)) return [...value];
  throw optionError(name, value, expected);
}

function checkMode(value: unknown): MaintenanceMode {
  if (value === undefined) return 'block';
  if (isMaintenanceMode(value)) return value;
  throw optionError('mode', value, "is not 'block' or 'read-only'");
}

function checkRetryAfter(value: unknown): number | Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw optionError('retryAfter', value, 'is not a whole number of seconds (0 or more) or a valid Date');
}

function checkViews(viewsDir: string, view: string): void {
  const isDirectory = statSync(viewsDir, { throwIfNoEntry: false })?.isDirectory();
  if (!isDirectory) throw optionError('views', viewsDir, 'is not a folder');
  const template = join(viewsDir, `${view}.pug`);
  if (!statSync(template, { throwIfNoEntry: false })?.isFile()) {
    throw optionError('view', view, `has no template: ${template} does not exist`);
  }
}

function checkLocals(value: unknown): Locals | undefined {
  if (value === undefined || typeof value === 'function') return value as Locals | undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...(value as object) } as Locals;
  throw optionError('locals', value, 'is not an object or a function of ctx');
}

function checkLogger(value: unknown): MaintenanceLogger {
  if (value === undefined) return console;
  const logger = value as Partial<MaintenanceLogger> | null;
  if (typeof logger?.warn === 'function' && typeof logger.error === 'function') return logger as MaintenanceLogger;
  throw optionError('logger', value, 'has no warn() and error() functions');
}

const NOTICE_LIMIT = { seconds: MAX_NOTICE_SECONDS, reason: '30 days, as for a payload\'s notice' };

/** A day: a page that waits longer than that for a reload is not waiting. */
const REFRESH_LIMIT = { seconds: 86_400, reason: 'a day' };

function checkKnown(options: object): void {
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw optionError(name, (options as Record<string, unknown>)[name], `is not an option (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
}

/** Checks every option and fills in the defaults, throwing a TypeError that names the option at fault. */
export function checkOptions(options: MaintenanceOptions): Settings {
  if (options === null || typeof options !== 'object') throw optionError('options', options, 'is not an object; call maintenance({ unleash })');
  checkKnown(options);
  const viewsDir = nonEmptyString('views', options.views, BUNDLED_VIEWS);
  const view = nonEmptyString('view', options.view, 'maintenance');
  checkViews(viewsDir, view);
  return {
    unleash: checkUnleash(options.unleash),
    flagName: nonEmptyString('flagName', options.flagName, DEFAULT_FLAG_NAME),
    trustProxy: options.trustProxy ?? false,
    bypassIps: list('bypassIps', options.bypassIps),
    allowedUrls: list('allowedUrls', options.allowedUrls),
    retryAfter: checkRetryAfter(options.retryAfter),
    viewsDir,
    view,
    locals: checkLocals(options.locals),
    skip: optionalFunction('skip', options.skip),
    context: optionalFunction('context', options.context),
    fallback: optionalBoolean('fallback', options.fallback) ?? false,
    override: optionalBoolean('override', options.override),
    logger: checkLogger(options.logger),
    onDecision: optionalFunction('onDecision', options.onDecision),
    bypassSecret: options.bypassSecret,
    mode: checkMode(options.mode),
    healthPaths: list('healthPaths', options.healthPaths, DEFAULT_HEALTH_PATHS, 'is not an array of paths'),
    refresh: options.refresh === undefined ? undefined : optionSeconds('refresh', options.refresh, REFRESH_LIMIT),
    languages: checkLanguages(options.languages),
    noticeSeconds: options.notice === undefined ? DEFAULT_NOTICE_SECONDS : optionSeconds('notice', options.notice, NOTICE_LIMIT),
    statusPath: checkStatusPath(options.statusPath),
  };
}
