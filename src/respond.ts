import type { Context } from 'koa';
import {
  SHIPPED_LANGUAGES, createLanguagePicker, formatUntilIn, localizedTexts, variesByLanguage,
  type Language, type LocalizedTexts,
} from './locales.js';
import { createPageRenderer, type Locals, type PageLocals } from './page.js';
import type { MaintenancePayload } from './payload.js';
import type { MaintenanceMode } from './read-only.js';
import type { Report } from './reporter.js';

/** Answers a request that maintenance blocks; in `read-only` mode the default texts say the site is read-only. */
export type Respond = (ctx: Context, payload: MaintenancePayload, mode?: MaintenanceMode) => Promise<void>;

export interface ResponderOptions {
  viewsDir: string;
  view: string;
  locals: Locals | undefined;
  retryAfter: number | Date | undefined;
  report: Report;
  /** Seconds: a `Refresh` header and meta refresh on answers to GET and HEAD. Default: none. */
  refresh?: number | undefined;
  /** The languages of the default texts, chosen by `Accept-Language`; the first is the fallback. Default: all shipped. */
  languages?: readonly Language[];
}

/** What this window says, merged from the payload and the `retryAfter` option. Undefined fields are absent. */
interface WindowFacts {
  title?: string;
  message?: string;
  retryAfter?: number;
  until?: Date;
  /** The default texts in this answer's language and mode, under the payload's title and message. */
  words: LocalizedTexts;
  mode: MaintenanceMode;
  refresh?: number;
}

// Content types are set as headers, not through `ctx.type`: they are complete already, and Koa's setter would
// look each one up in mime-types on every blocked request only to return it unchanged.

/** RFC 9457 `type`: the RFC 9110 definition of 503, since a maintenance answer is exactly that. */
const PROBLEM_TYPE = 'https://www.rfc-editor.org/rfc/rfc9110#status.503';
const NEGOTIABLE = ['html', 'json', 'application/problem+json', 'text'];
const MAX_CACHED_ANSWERS = 64;
const MAX_CACHED_HEADER_LENGTH = 512;
/** Negotiator's parsing grows faster than the header: 15 kB of commas cost 15 ms. Longer values get the defaults. */
const MAX_NEGOTIATED_HEADER_LENGTH = 1024;

/**
 * Content negotiation (`ctx.accepts`, `ctx.acceptsLanguages`) depends on one request header alone, and clients
 * send few distinct ones, so each answer is kept by header value (a missing header is its own key); values over
 * 512 characters are negotiated but not kept, values over 1 kB are not negotiated (`fallback`). Re-parsing
 * Accept and Accept-Language on every blocked request was about half of the middleware's own time on that path.
 */
function memoByHeader<T>(header: 'accept' | 'accept-language', negotiate: (ctx: Context) => T, fallback: T): (ctx: Context) => T {
  const answers = new Map<string | undefined, T>();
  return function negotiated(ctx) {
    const value = ctx.req.headers[header];
    if (answers.has(value)) return answers.get(value) as T;
    if (value !== undefined && value.length > MAX_NEGOTIATED_HEADER_LENGTH) return fallback;
    const answer = negotiate(ctx);
    if (value === undefined || value.length <= MAX_CACHED_HEADER_LENGTH) {
      if (answers.size >= MAX_CACHED_ANSWERS) answers.clear();
      answers.set(value, answer);
    }
    return answer;
  };
}

function factsOf(payload: MaintenancePayload, retryAfterOption: number | Date | undefined, words: LocalizedTexts, mode: MaintenanceMode): WindowFacts {
  const facts: WindowFacts = { ...payload, words, mode };
  if (facts.until === undefined && retryAfterOption instanceof Date) facts.until = retryAfterOption;
  if (facts.retryAfter === undefined && payload.until === undefined && typeof retryAfterOption === 'number') {
    facts.retryAfter = retryAfterOption;
  }
  return facts;
}

/** `varyBy`: the request headers this answer depends on, given to one `ctx.vary` (one parse of any existing Vary). */
function setHeaders(ctx: Context, facts: WindowFacts, varyBy: string | string[]): void {
  ctx.status = 503;
  ctx.set('Cache-Control', 'no-store');
  ctx.vary(varyBy);
  if (facts.retryAfter !== undefined) ctx.set('Retry-After', String(facts.retryAfter));
  else if (facts.until !== undefined) ctx.set('Retry-After', facts.until.toUTCString());
  ctx.set('Content-Language', facts.words.lang);
  if (facts.refresh !== undefined) ctx.set('Refresh', String(facts.refresh));
}

function pageTexts(facts: WindowFacts): PageLocals {
  const texts: PageLocals = { lang: facts.words.lang, mode: facts.mode };
  if (facts.refresh !== undefined) texts.refresh = facts.refresh;
  if (facts.title !== undefined) texts.title = facts.title;
  if (facts.message !== undefined) texts.message = facts.message;
  if (facts.retryAfter !== undefined) texts.retryAfter = facts.retryAfter;
  if (facts.until !== undefined) {
    texts.until = facts.until.toISOString();
    texts.untilText = formatUntilIn(facts.words.lang, facts.until);
  }
  return texts;
}

function problemBody(facts: WindowFacts): string {
  return JSON.stringify({
    type: PROBLEM_TYPE,
    title: facts.title ?? facts.words.title,
    status: 503,
    detail: facts.message ?? facts.words.message,
    retryAfter: facts.retryAfter,
    until: facts.until?.toISOString(),
    mode: facts.mode === 'read-only' ? facts.mode : undefined,
  });
}

function textBody(facts: WindowFacts): string {
  const { words } = facts;
  const lines = [facts.title ?? words.title, '', facts.message ?? words.message];
  if (facts.until !== undefined) lines.push('', `${words.untilPrefix} ${formatUntilIn(words.lang, facts.until)}.`);
  return `${lines.join('\n')}\n`;
}

/** Bodies already built for one payload in one language and mode; `page*` only with static `locals`. */
interface KeptBodies {
  json?: string;
  text?: string;
  page?: string;
  pageWithRefresh?: string;
}

/**
 * With the options fixed, a body depends only on the payload and the words (one frozen object per language
 * and mode), plus, for the page, whether `Refresh` applies. The payload parser hands out one frozen object per
 * distinct payload, so bodies are kept per payload object (weakly: payloads the parser drops go too) and per words.
 */
function createBodyKeeper(): (payload: MaintenancePayload, words: LocalizedTexts) => KeptBodies {
  const byPayload = new WeakMap<MaintenancePayload, Map<LocalizedTexts, KeptBodies>>();
  return function keptBodies(payload, words) {
    let byWords = byPayload.get(payload);
    if (!byWords) {
      byWords = new Map();
      byPayload.set(payload, byWords);
    }
    let kept = byWords.get(words);
    if (!kept) {
      kept = {};
      byWords.set(words, kept);
    }
    return kept;
  };
}

function sendText(ctx: Context, facts: WindowFacts, kept?: KeptBodies): void {
  ctx.set('Content-Type', 'text/plain; charset=utf-8');
  ctx.body = kept ? (kept.text ??= textBody(facts)) : textBody(facts);
}

/**
 * The 503 contract: `Cache-Control: no-store`, `Vary: Accept, Accept-Language`, `Content-Language`,
 * `Retry-After` when known, `Refresh` when asked for (GET and HEAD only: a reload turns any
 * other method into a GET of its URL); default texts in the language `Accept-Language` prefers; HTML for browsers
 * (and a missing or `*\/*` Accept), problem+json for API clients, plain text for anything else. A page that
 * fails to render is reported and replaced by the plain-text answer: never a 500, never the route.
 */
export function createResponder(options: ResponderOptions): Respond {
  const { retryAfter, report, refresh } = options;
  const renderPage = createPageRenderer(options.viewsDir, options.view, options.locals);
  const negotiateType = memoByHeader('accept', (ctx) => ctx.accepts(NEGOTIABLE), NEGOTIABLE[0]);
  const languages = options.languages ?? SHIPPED_LANGUAGES;
  const pickLanguage = memoByHeader('accept-language', createLanguagePicker(languages), languages[0] ?? 'en');
  const varyBy = variesByLanguage(languages) ? ['Accept', 'Accept-Language'] : 'Accept';
  const keptBodies = createBodyKeeper();
  const pageIsStatic = typeof options.locals !== 'function';

  async function sendPage(ctx: Context, facts: WindowFacts, kept: KeptBodies): Promise<void> {
    try {
      const html = await renderPage(ctx, pageTexts(facts), facts.words);
      ctx.set('Content-Type', 'text/html; charset=utf-8');
      ctx.body = html;
      if (pageIsStatic) kept[facts.refresh === undefined ? 'page' : 'pageWithRefresh'] = html; // a failure is not kept
    } catch (error) {
      report('error', 'render', `rendering the maintenance page "${options.view}" failed; answered in plain text`, error);
      sendText(ctx, facts);
    }
  }

  // Loading and compiling Pug takes most of a second; doing it now keeps that off the first blocked request.
  // A failure is not kept, so the first blocked request renders again and reports it.
  if (pageIsStatic) {
    const facts = factsOf({}, retryAfter, localizedTexts(languages[0] ?? 'en', 'block'), 'block');
    if (refresh !== undefined) facts.refresh = refresh;
    renderPage(undefined as never, pageTexts(facts), facts.words).catch(() => {});
  }

  return async function respond(ctx, payload, mode = 'block') {
    const facts = factsOf(payload, retryAfter, localizedTexts(pickLanguage(ctx), mode), mode);
    if (refresh !== undefined && (ctx.method === 'GET' || ctx.method === 'HEAD')) facts.refresh = refresh;
    setHeaders(ctx, facts, varyBy);
    const type = negotiateType(ctx);
    const kept = keptBodies(payload, facts.words);
    if (type === 'html') {
      const page = facts.refresh === undefined ? kept.page : kept.pageWithRefresh;
      if (page === undefined) return sendPage(ctx, facts, kept);
      ctx.set('Content-Type', 'text/html; charset=utf-8');
      ctx.body = page;
      return;
    }
    if (type === 'json' || type === 'application/problem+json') {
      ctx.set('Content-Type', 'application/problem+json; charset=utf-8');
      ctx.body = kept.json ??= problemBody(facts);
      return;
    }
    sendText(ctx, facts, kept);
  };
}
