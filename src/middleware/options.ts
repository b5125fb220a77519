import type { Context } from 'koa';
import type { Context as UnleashContext } from 'unleash-client';
import { optionSeconds, type Duration } from '../flag/duration.js';
import { DEFAULT_FLAG_NAME, DEFAULT_NOTICE_SECONDS, MAX_NOTICE_SECONDS, MAX_PAUSE_SECONDS } from '../flag/payload.js';
import { isMaintenanceMode, type MaintenanceMode, type MaintenanceState } from '../flag/state.js';
import { optionError } from '../option-error.js';
import { compileTrust, type Trust, type TrustProxy } from '../request/client-ip.js';
import { compileIpMatcher, type IpMatcher } from '../request/ip-matcher.js';
import { compileHealthPaths, compileUrlMatcher, isNormalPath, type HealthPathMatcher, type UrlMatcher } from '../request/path.js';
import { BUNDLED_VIEWS } from '../views.js';
import { compileBypassSecret, type BypassSecret, type BypassSecretOptions } from './bypass-secret.js';
import type { UnleashLike } from './flag-reader.js';
import { checkLanguages, SHIPPED_LANGUAGES, type Language } from './locales.js';
import { compileViewsObject, type ViewsOptions } from './koa-views-page.js';
import { createPageRenderer, templateFile, type Locals, type PageRenderer } from './page.js';
import type { MaintenanceLogger } from './reporter.js';

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
  /**
   * Folder of the Pug template, or `{ dir, extension, map, options, engineSource }` (koa-views' options, plus
   * `dir`) to render the page through koa-views, in your app's engine (install `koa-views` and the engine).
   * Default: the bundled `views/`.
   */
  views?: string | ViewsOptions;
  /** Template name within `views`, without its extension. Default `'maintenance'`. */
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
   * tells the app to show a banner), other methods get a 503 that says the site is read-only. `'pause'`: a
   * request the rules would block is held until maintenance ends, then goes on to the app (`reason: 'paused'`),
   * or gets the 503 after `maxPause`. The variant payload's `mode` wins. Default `'block'`.
   */
  mode?: MaintenanceMode;
  /**
   * Pause mode: how long a request is held at most before it gets the 503, a duration from 1 second to 60
   * (`'10s'`, `15`, `'1m'`). The variant payload's `maxPause` wins. Default `'10s'`.
   */
  maxPause?: Duration;
  /**
   * Pause mode: how many requests are held at once at most; past it, a request gets the 503 at once. `0` holds
   * none (pause acts as block). Default `1000`.
   */
  maxHeld?: number;
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
 * Every default, written here and nowhere else (the flag's name and the notice are the flag's vocabulary,
 * shared with the admin client; the staff link's own defaults stand in bypass-secret.ts with its other rules).
 */
const DEFAULTS = Object.freeze({
  flagName: DEFAULT_FLAG_NAME,
  trustProxy: false,
  bypassIps: Object.freeze([] as string[]),
  allowedUrls: Object.freeze([] as string[]),
  views: BUNDLED_VIEWS,
  view: 'maintenance',
  fallback: false,
  logger: console as MaintenanceLogger,
  mode: 'block',
  maxPauseSeconds: 10,
  maxHeld: 1000,
  healthPaths: Object.freeze(['/healthz', '/readyz', '/livez']),
  languages: SHIPPED_LANGUAGES,
  noticeSeconds: DEFAULT_NOTICE_SECONDS,
} as const);

/**
 * The options checked and compiled, each to the part the middleware wires: matchers, the trust setting, the
 * staff link, the page. Functions of the app (`skip`, `context`, `locals`, `onDecision`) are kept as given.
 */
export interface CompiledOptions {
  readonly unleash: UnleashLike;
  readonly flagName: string;
  readonly trust: Trust;
  readonly isBypassIp: IpMatcher;
  readonly bypassSecret: BypassSecret | undefined;
  readonly isHealthPath: HealthPathMatcher;
  readonly isAllowedUrl: UrlMatcher;
  readonly retryAfter: number | Date | undefined;
  readonly page: PageRenderer;
  readonly view: string;
  readonly locals: Locals | undefined;
  readonly skip: ((ctx: Context) => boolean) | undefined;
  readonly context: ((ctx: Context) => Partial<UnleashContext>) | undefined;
  readonly fallback: boolean;
  readonly override: boolean | undefined;
  readonly logger: MaintenanceLogger;
  readonly onDecision: ((ctx: Context, decision: MaintenanceState) => void) | undefined;
  readonly mode: MaintenanceMode;
  readonly maxPauseSeconds: number;
  readonly maxHeld: number;
  readonly refresh: number | undefined;
  readonly languages: readonly Language[];
  readonly noticeSeconds: number;
  readonly statusPath: string | undefined;
}

/** Every option's name, held against `MaintenanceOptions` by the compiler: an option added there must be added here. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set(Object.keys({
  unleash: true, flagName: true, trustProxy: true, bypassIps: true, allowedUrls: true, retryAfter: true, views: true, view: true,
  locals: true, skip: true, context: true, fallback: true, override: true, logger: true, onDecision: true,
  bypassSecret: true, mode: true, healthPaths: true, refresh: true, languages: true, notice: true, statusPath: true,
  maxPause: true, maxHeld: true,
} satisfies Record<keyof MaintenanceOptions, true>));

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

function list(name: string, value: unknown, fallback: readonly unknown[], expected = 'is not an array'): readonly unknown[] {
  if (value === undefined) return fallback;
  if (Array.isArray(value)) return [...value];
  throw optionError(name, value, expected);
}

function checkMode(value: unknown): MaintenanceMode {
  if (value === undefined) return DEFAULTS.mode;
  if (isMaintenanceMode(value)) return value;
  throw optionError('mode', value, "is not 'block', 'read-only' or 'pause'");
}

function checkMaxHeld(value: unknown): number {
  if (value === undefined) return DEFAULTS.maxHeld;
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw optionError('maxHeld', value, 'is not a whole number (0 or more) of requests');
}

function checkRetryAfter(value: unknown): number | Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw optionError('retryAfter', value, 'is not a whole number of seconds (0 or more) or a valid Date');
}

/**
 * The page's template: `views` is a folder holding `<view>.pug`, rendered by Pug, or an object naming a folder
 * holding `<view>.<extension>`, rendered through koa-views (loaded only then).
 */
function compilePage(views: unknown, view: unknown): { page: PageRenderer; view: string } {
  const name = nonEmptyString('view', view, DEFAULTS.view);
  if (views !== null && typeof views === 'object' && !Array.isArray(views)) return { page: compileViewsObject(views, name), view: name };
  if (views !== undefined && (typeof views !== 'string' || views.trim() === '')) {
    throw optionError('views', views, 'is not a folder (a non-empty string) nor an object { dir, extension, map, options, engineSource } for koa-views');
  }
  const viewsDir = views ?? DEFAULTS.views;
  return { page: createPageRenderer(templateFile('views', viewsDir, viewsDir, name, 'pug')), view: name };
}

function checkLocals(value: unknown): Locals | undefined {
  if (value === undefined || typeof value === 'function') return value as Locals | undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...(value as object) } as Locals;
  throw optionError('locals', value, 'is not an object or a function of ctx');
}

function checkLogger(value: unknown): MaintenanceLogger {
  if (value === undefined) return DEFAULTS.logger;
  const logger = value as Partial<MaintenanceLogger> | null;
  if (typeof logger?.warn === 'function' && typeof logger.error === 'function') return logger as MaintenanceLogger;
  throw optionError('logger', value, 'has no warn() and error() functions');
}

/** The `statusPath` option: a path in normal form, without a query. */
function checkStatusPath(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && !/[?#]/.test(value) && isNormalPath(value)) return value;
  throw optionError('statusPath', value, 'is not a path starting with "/" in normal form (e.g. "/maintenance.json")');
}

/** The payload's cap too: a maintenance window announced further ahead is news, not a notice. */
const NOTICE_LIMIT = { seconds: MAX_NOTICE_SECONDS, reason: '30 days, as for a payload\'s notice' };

/** The payload's cap too: past it, proxies in front give up on a held request anyway. */
const MAX_PAUSE_LIMIT = { seconds: MAX_PAUSE_SECONDS, reason: 'proxies in front commonly give up on a request after 60 s; use block mode for longer' };

/** A day: a page that waits longer than that for a reload is not waiting. */
const REFRESH_LIMIT = { seconds: 86_400, reason: 'a day' };

function checkKnown(options: object): void {
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw optionError(name, (options as Record<string, unknown>)[name], `is not an option (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
}

/**
 * Checks every option, fills in the defaults and compiles each into the part the middleware uses, once, at
 * start-up; anything wrong is a TypeError naming the option (and the entry, for lists).
 */
export function compileOptions(options: MaintenanceOptions): CompiledOptions {
  if (options === null || typeof options !== 'object') throw optionError('options', options, 'is not an object; call maintenance({ unleash })');
  checkKnown(options);
  return {
    unleash: checkUnleash(options.unleash),
    flagName: nonEmptyString('flagName', options.flagName, DEFAULTS.flagName),
    trust: compileTrust(options.trustProxy ?? DEFAULTS.trustProxy),
    isBypassIp: compileIpMatcher(list('bypassIps', options.bypassIps, DEFAULTS.bypassIps), 'bypassIps'),
    bypassSecret: compileBypassSecret(options.bypassSecret),
    isHealthPath: compileHealthPaths(list('healthPaths', options.healthPaths, DEFAULTS.healthPaths, 'is not an array of paths')),
    isAllowedUrl: compileUrlMatcher(list('allowedUrls', options.allowedUrls, DEFAULTS.allowedUrls)),
    retryAfter: checkRetryAfter(options.retryAfter),
    ...compilePage(options.views, options.view),
    locals: checkLocals(options.locals),
    skip: optionalFunction('skip', options.skip),
    context: optionalFunction('context', options.context),
    fallback: optionalBoolean('fallback', options.fallback) ?? DEFAULTS.fallback,
    override: optionalBoolean('override', options.override),
    logger: checkLogger(options.logger),
    onDecision: optionalFunction('onDecision', options.onDecision),
    mode: checkMode(options.mode),
    maxPauseSeconds: options.maxPause === undefined ? DEFAULTS.maxPauseSeconds : optionSeconds('maxPause', options.maxPause, MAX_PAUSE_LIMIT),
    maxHeld: checkMaxHeld(options.maxHeld),
    refresh: options.refresh === undefined ? undefined : optionSeconds('refresh', options.refresh, REFRESH_LIMIT),
    languages: options.languages === undefined ? DEFAULTS.languages : checkLanguages(options.languages),
    noticeSeconds: options.notice === undefined ? DEFAULTS.noticeSeconds : optionSeconds('notice', options.notice, NOTICE_LIMIT),
    statusPath: checkStatusPath(options.statusPath),
  };
}
