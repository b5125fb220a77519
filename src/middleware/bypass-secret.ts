import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { optionSeconds, type Duration } from '../flag/duration.js';
import { optionError } from '../option-error.js';
import { isNormalPath } from '../request/path.js';

/** The `bypassSecret` option: a staff link that lets a browser through maintenance, and a header for scripts. */
export interface BypassSecretOptions {
  /**
   * Required. At least 32 printable ASCII characters, no spaces, e.g. from
   * `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`. Changing it invalidates every cookie.
   */
  secret: string;
  /** Where the link lives: `GET <path>/<secret>` sets the cookie and redirects to `/`. Default `'/__maintenance/bypass'`. */
  path?: string;
  /** How long the cookie lets its browser through: whole seconds or `'30m'`, `'12h'`, `'7d'` (at most 400 days). Default `'12h'`. */
  maxAge?: Duration;
  /** The cookie's name. Default `'maintenance_bypass'`. */
  cookieName?: string;
}

export interface BypassSecret {
  /**
   * Answers `GET <path>/<secret>` with the cookie and a 302 to `/`, returning `true`; returns `false`, doing
   * nothing, for every other request (a wrong secret included, which then meets maintenance like any request).
   */
  grant(ctx: Context, rawPath: string | undefined): boolean;
  /**
   * What lets the request through: the secret in `X-Maintenance-Bypass` (`'header'`), a valid, unexpired
   * bypass cookie (`'cookie'`), or nothing (`undefined`).
   */
  admits(ctx: Context): BypassCredential | undefined;
}

export type BypassCredential = 'header' | 'cookie';

/** The header scripted smoke tests send. */
export const BYPASS_HEADER = 'x-maintenance-bypass';

const OPTION = 'bypassSecret';
const KNOWN = new Set(['secret', 'path', 'maxAge', 'cookieName']);
const MIN_SECRET_LENGTH = 32;
const SECRET_CHARACTERS = /^[\x21-\x7e]+$/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_AGE_LIMIT = { seconds: 400 * 86_400, reason: 'browsers cap cookies at 400 days' };
/** `<expires, ms since the epoch>.<43 characters of base64url HMAC-SHA256>`; anything longer is not ours. */
const COOKIE_VALUE = /^(\d{1,15})\.([\w-]{43})$/;
const KEY_INFO = 'koa-unleash-maintenance bypass cookie v1';

interface StaffLink {
  secret: string;
  prefix: string;
  maxAgeSeconds: number;
  cookieName: string;
}

/** Checks the secret without ever putting it in the message: start-up errors end up in logs. */
function checkSecret(value: unknown): string {
  const path = `${OPTION}.secret`;
  if (value === undefined) throw optionError(path, value, 'is missing; it is required when bypassSecret is set');
  if (typeof value !== 'string') throw new TypeError(`maintenance(): ${path} (a ${typeof value}, not shown) is not a string`);
  const hidden = `(${value.length} characters, not shown)`;
  if (value.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`maintenance(): ${path} ${hidden} is shorter than ${MIN_SECRET_LENGTH} characters; use a random one, e.g. crypto.randomBytes(32).toString('base64url')`);
  }
  if (!SECRET_CHARACTERS.test(value)) {
    throw new TypeError(`maintenance(): ${path} ${hidden} has spaces, control or non-ASCII characters, which do not survive an HTTP header; use e.g. base64url or hex`);
  }
  return value;
}

function checkPath(value: unknown): string {
  if (value === undefined) return '/__maintenance/bypass/';
  if (typeof value !== 'string' || !isNormalPath(value) || /[\s?#%]/.test(value)) {
    throw optionError(`${OPTION}.path`, value, 'is not a path starting with "/" (without spaces, "?", "#", "%", "\\", "//" or dot segments)');
  }
  return `${value.replace(/\/+$/, '')}/`;
}

function checkCookieName(value: unknown): string {
  if (value === undefined) return 'maintenance_bypass';
  if (typeof value === 'string' && COOKIE_NAME.test(value)) return value;
  throw optionError(`${OPTION}.cookieName`, value, 'is not a cookie name (letters, digits and !#$%&\'*+-.^_`|~)');
}

function readStaffLink(value: unknown): StaffLink {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw optionError(OPTION, value, "is not an object like { secret: process.env.MAINTENANCE_BYPASS_SECRET }");
  }
  const options = value as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    // The value is not shown: a misspelt `secret` would put the secret in the message.
    if (!KNOWN.has(name)) throw new TypeError(`maintenance(): ${OPTION}.${name} is not an option (known: ${[...KNOWN].join(', ')})`);
  }
  return {
    secret: checkSecret(options.secret),
    prefix: checkPath(options.path),
    maxAgeSeconds: options.maxAge === undefined ? 12 * 3600 : optionSeconds(`${OPTION}.maxAge`, options.maxAge, MAX_AGE_LIMIT),
    cookieName: checkCookieName(options.cookieName),
  };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compiles the `bypassSecret` option once (`undefined` turns the feature off). The cookie is signed with
 * HMAC-SHA256 under a key derived from the secret (HKDF), so it needs no `app.keys` and dies with the secret.
 * Secrets are compared as SHA-256 digests with `timingSafeEqual`, so the time taken says nothing about them.
 * `now` is the clock, replaceable in tests.
 */
export function compileBypassSecret(value: unknown, now: () => number = Date.now): BypassSecret | undefined {
  if (value === undefined) return undefined;
  const { secret, prefix, maxAgeSeconds, cookieName } = readStaffLink(value);
  const secretDigest = digest(secret);
  const key = Buffer.from(hkdfSync('sha256', secret, '', KEY_INFO, 32));
  const sign = (expires: string): Buffer => createHmac('sha256', key).update(expires).digest();

  const isSecret = (candidate: string): boolean => timingSafeEqual(digest(candidate), secretDigest);

  function secretInPath(ctx: Context, rawPath: string | undefined): boolean {
    if (ctx.method !== 'GET' || rawPath === undefined || !rawPath.startsWith(prefix)) return false;
    try {
      return isSecret(decodeURIComponent(rawPath.slice(prefix.length)));
    } catch {
      return false;
    }
  }

  function validCookie(value: string | undefined): boolean {
    const match = value === undefined ? null : COOKIE_VALUE.exec(value);
    if (!match) return false;
    const [, expires, signature] = match as unknown as [string, string, string];
    if (Number(expires) <= now()) return false;
    // Compared as text: base64url's last character carries two unused bits, so decoding first would accept
    // several spellings of one signature.
    return timingSafeEqual(Buffer.from(signature), Buffer.from(sign(expires).toString('base64url')));
  }

  return {
    grant(ctx, rawPath) {
      if (!secretInPath(ctx, rawPath)) return false;
      const expires = String(now() + maxAgeSeconds * 1000);
      ctx.cookies.set(cookieName, `${expires}.${sign(expires).toString('base64url')}`, {
        maxAge: maxAgeSeconds * 1000,
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        signed: false,
        overwrite: true,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.redirect('/');
      return true;
    },
    admits(ctx) {
      const header = ctx.get(BYPASS_HEADER);
      if (header !== '' && isSecret(header)) return 'header';
      return validCookie(ctx.cookies.get(cookieName, { signed: false })) ? 'cookie' : undefined;
    },
  };
}
