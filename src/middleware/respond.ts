import type { Context } from 'koa';
import { NO_PAYLOAD, type MaintenancePayload } from '../flag/payload.js';
import type { AnswerMode, MaintenanceMode } from '../flag/state.js';
import { createLanguagePicker, formatUntilIn, localizedTexts, variesByLanguage, type Language, type LocalizedTexts } from './locales.js';
import type { Locals, PageLocals, PageRenderer } from './page.js';
import type { Report } from './reporter.js';

/**
 * Answers a request that maintenance blocks; in `read-only` mode the default texts say the site is read-only, in
 * `pause` mode they are the `block` texts.
 */
export interface Responder {
  /**
   * `asProblem`: problem+json whatever `Accept` says, for an HTTP upgrade refused on its socket; always
   * written at once. Otherwise a promise only while an engine behind koa-views renders a page not yet rendered
   * (or one of this request: `locals` a function of ctx); it never rejects for the page's sake.
   */
  respond(ctx: Context, payload: MaintenancePayload, mode: MaintenanceMode, asProblem: true): void;
  respond(ctx: Context, payload: MaintenancePayload, mode: MaintenanceMode, asProblem?: boolean): void | Promise<void>;
  /**
   * Compiles the template and renders the default page (no payload, first language, `block`, `Refresh` as a
   * GET gets it) now, at start-up, so no request waits for the engine. A failure is left to the first request
   * to report.
   */
  warm(): void;
}

export interface ResponderOptions {
  page: PageRenderer;
  /** The template's name, for the report when it fails. */
  view: string;
  locals: Locals | undefined;
  retryAfter: number | Date | undefined;
  /** Seconds: a `Refresh` header and meta refresh on answers to GET and HEAD. */
  refresh: number | undefined;
  /** The languages of the default texts, chosen by `Accept-Language`; the first is the fallback. */
  languages: readonly Language[];
  report: Report;
  /** The clock that tells whether `until` has passed. Default `Date.now`. */
  now?: () => number;
}

/** What this window says, merged from the payload and the `retryAfter` option. Undefined fields are absent. */
interface WindowFacts {
  title?: string;
  message?: string;
  retryAfter?: number;
  until?: Date;
  /** The default texts in this answer's language and mode, under the payload's title and message. */
  words: LocalizedTexts;
  refresh?: number;
}

// Content types are set as headers, not through `ctx.type`: they are complete already, and Koa's setter would
// look each one up in mime-types on every blocked request only to return it unchanged.

/** RFC 9457 `type`: the RFC 9110 definition of 503, since a maintenance answer is exactly that. */
const PROBLEM_TYPE = 'https://www.rfc-editor.org/rfc/rfc9110#status.503';
const NEGOTIABLE = ['html', 'json', 'application/problem+json', 'text'];
/** Negotiator's parsing grows faster than the header: 15 kB of commas cost 15 ms. Longer values get the defaults. */
const MAX_NEGOTIATED_HEADER_LENGTH = 1024;
const MAX_REMEMBERED_ANSWERS = 64;

/**
 * Negotiation by one request header, remembered per header value (a missing header is its own key; at most 64
 * values, cleared when full): clients send few distinct `Accept` and `Accept-Language` values, and parsing them
 * was half of a blocked request's own time (blocked JSON 7.8 -> 3.4 us in the loop). Values over 1 kB are not
 * negotiated: they get `fallback`.
 */
function negotiatedBy<T>(header: 'accept' | 'accept-language', negotiate: (ctx: Context) => T, fallback: T): (ctx: Context) => T {
  const answers = new Map<string | undefined, T>();
  return function negotiated(ctx) {
    const value = ctx.req.headers[header];
    let answer = answers.get(value);
    if (answer !== undefined) return answer;
    if (value !== undefined && value.length > MAX_NEGOTIATED_HEADER_LENGTH) return fallback;
    answer = negotiate(ctx);
    if (answers.size >= MAX_REMEMBERED_ANSWERS) answers.clear();
    answers.set(value, answer);
    return answer;
  };
}

/**
 * When this window ends and when to retry: the payload's `until` and `retryAfter`, else the `retryAfter`
 * option (a Date is the end, a number the seconds; a number yields to a payload's `until`). An end that is not
 * after `now` is ignored like any unusable field: a `Retry-After` in the past tells a client nothing.
 */
export function timingOf(payload: MaintenancePayload, retryAfterOption: number | Date | undefined, now = Date.now()): { retryAfter?: number; until?: Date } {
  const timing: { retryAfter?: number; until?: Date } = {};
  const until = payload.until !== undefined && payload.until.getTime() > now ? payload.until : undefined;
  if (payload.retryAfter !== undefined) timing.retryAfter = payload.retryAfter;
  else if (until === undefined && typeof retryAfterOption === 'number') timing.retryAfter = retryAfterOption;
  if (until !== undefined) timing.until = until;
  else if (retryAfterOption instanceof Date && retryAfterOption.getTime() > now) timing.until = retryAfterOption;
  return timing;
}

function factsOf(payload: MaintenancePayload, retryAfterOption: number | Date | undefined, words: LocalizedTexts, now: number): WindowFacts {
  const facts: WindowFacts = { words, ...timingOf(payload, retryAfterOption, now) };
  if (payload.title !== undefined) facts.title = payload.title;
  if (payload.message !== undefined) facts.message = payload.message;
  return facts;
}

/** `varyBy`: the request headers this answer depends on, given to one `ctx.vary` (one parse of any existing Vary). */
function setHeaders(ctx: Context, facts: WindowFacts, varyBy: string | string[]): void {
  ctx.status = 503;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.vary(varyBy);
  if (facts.retryAfter !== undefined) ctx.set('Retry-After', String(facts.retryAfter));
  else if (facts.until !== undefined) ctx.set('Retry-After', facts.until.toUTCString());
  ctx.set('Content-Language', facts.words.lang);
  if (facts.refresh !== undefined) ctx.set('Refresh', String(facts.refresh));
}

function pageTexts(facts: WindowFacts): PageLocals {
  const texts: PageLocals = { lang: facts.words.lang, mode: facts.words.mode };
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
    mode: facts.words.mode === 'read-only' ? facts.words.mode : undefined,
  });
}

function textBody(facts: WindowFacts): string {
  const { words } = facts;
  const lines = [facts.title ?? words.title, '', facts.message ?? words.message];
  if (facts.until !== undefined) lines.push('', `${words.untilPrefix} ${formatUntilIn(words.lang, facts.until)}.`);
  return `${lines.join('\n')}\n`;
}

/** One blocked request's answers in every format, built once and kept; `html` only with static `locals`. */
interface Answers {
  readonly facts: WindowFacts;
  /** When the `until` they state passes (ms since the epoch): then they are built again, without it. */
  readonly expires: number;
  /** The page, or the one render of it under way (koa-views): every request that misses waits for that one. */
  html?: string | Promise<string>;
  json?: string;
  text?: string;
}

/**
 * The one cache of rendered answers: per payload (the parser hands out one frozen object per distinct payload,
 * held weakly here so the ones it drops go too), then per language, mode and whether `Refresh` applies. Answers
 * that state an `until` are built again once it passes, so a payload kept from before then never sends it.
 */
function createAnswerCache(build: (payload: MaintenancePayload, words: LocalizedTexts, refreshes: boolean, now: number) => WindowFacts, now: () => number) {
  const byPayload = new WeakMap<MaintenancePayload, Map<string, Answers>>();
  return function answersFor(payload: MaintenancePayload, words: LocalizedTexts, refreshes: boolean): Answers {
    let byWords = byPayload.get(payload);
    if (!byWords) byPayload.set(payload, (byWords = new Map()));
    const key = refreshes ? `${words.lang}:${words.mode}:refresh` : `${words.lang}:${words.mode}`;
    let answers = byWords.get(key);
    if (!answers || (answers.expires !== Infinity && now() >= answers.expires)) {
      const facts = build(payload, words, refreshes, now());
      byWords.set(key, (answers = { facts, expires: facts.until?.getTime() ?? Infinity }));
    }
    return answers;
  };
}

/**
 * The 503 contract: `Cache-Control: no-store`, `Vary: Accept, Accept-Language`, `Content-Language`,
 * `Retry-After` when known, `Refresh` when asked for (GET and HEAD only: a reload turns any
 * other method into a GET of its URL); default texts in the language `Accept-Language` prefers; HTML for browsers
 * (and a missing or `*\/*` Accept), problem+json for API clients, plain text for anything else. A page that
 * fails to render is reported and replaced by the plain-text answer: never a 500, never the route.
 */
export function createResponder(options: ResponderOptions): Responder {
  const { page, view, locals, retryAfter, refresh, languages, report, now = Date.now } = options;
  const [fallbackLanguage] = languages as [Language, ...Language[]];
  const pickLanguage = negotiatedBy('accept-language', createLanguagePicker(languages), fallbackLanguage);
  const pickType = negotiatedBy('accept', (ctx) => ctx.accepts(NEGOTIABLE) as string | false, 'html');
  const varyBy = variesByLanguage(languages) ? ['Accept', 'Accept-Language'] : 'Accept';
  const answersFor = createAnswerCache((payload, words, refreshes, time) => {
    const facts = factsOf(payload, retryAfter, words, time);
    if (refreshes && refresh !== undefined) facts.refresh = refresh;
    return facts;
  }, now);

  const localsOf = typeof locals === 'function' ? locals : undefined;
  const staticLocals = typeof locals === 'function' ? undefined : locals;

  /**
   * With static `locals` the page depends on the answer alone: rendered once and kept with it. A render that
   * is a promise (koa-views) is kept while under way and replaced by its HTML once done; one that fails is
   * dropped, so the next request renders again (a fixed template is picked up) and reports it.
   */
  function staticPage(answers: Answers): string | Promise<string> {
    if (answers.html !== undefined) return answers.html;
    const rendered = page.render({ ...answers.facts.words, ...staticLocals, ...pageTexts(answers.facts) });
    if (typeof rendered === 'string') return (answers.html = rendered);
    const pending: Promise<string> = rendered.then(
      (html) => (answers.html = html),
      (error: unknown) => {
        if (answers.html === pending) answers.html = undefined;
        throw error;
      },
    );
    return (answers.html = pending);
  }

  function html(ctx: Context, answers: Answers): string | Promise<string> {
    if (!localsOf) return staticPage(answers);
    return page.render({ ...answers.facts.words, ...localsOf(ctx), ...pageTexts(answers.facts) }, ctx);
  }

  function renderFailed(ctx: Context, answers: Answers, error: unknown): void {
    report('error', 'render', `rendering the maintenance page "${view}" failed; answered in plain text`, error);
    sendText(ctx, answers);
  }

  function sendHtml(ctx: Context, body: string): void {
    ctx.set('Content-Type', 'text/html; charset=utf-8');
    ctx.body = body;
  }

  /** At once when the page is at hand (always with Pug); else after the one render under way. */
  function sendPage(ctx: Context, answers: Answers): void | Promise<void> {
    let page: string | Promise<string>;
    try {
      page = html(ctx, answers);
    } catch (error) {
      return renderFailed(ctx, answers, error);
    }
    if (typeof page === 'string') return sendHtml(ctx, page);
    return page.then((body) => sendHtml(ctx, body), (error: unknown) => renderFailed(ctx, answers, error));
  }

  return {
    respond(ctx: Context, payload: MaintenancePayload, mode: MaintenanceMode, asProblem = false): void | Promise<void> {
      const lang = pickLanguage(ctx);
      const refreshes = refresh !== undefined && (ctx.method === 'GET' || ctx.method === 'HEAD');
      const answers = answersFor(payload, localizedTexts(lang, answerMode(mode)), refreshes);
      setHeaders(ctx, answers.facts, varyBy);
      const type = asProblem ? 'json' : pickType(ctx);
      if (type === 'html') return sendPage(ctx, answers);
      if (type === 'json' || type === 'application/problem+json') {
        ctx.set('Content-Type', 'application/problem+json; charset=utf-8');
        ctx.body = answers.json ??= problemBody(answers.facts);
        return;
      }
      sendText(ctx, answers);
    },
    warm() {
      page.warm();
      if (localsOf) return;
      try {
        const rendered = staticPage(answersFor(NO_PAYLOAD, localizedTexts(fallbackLanguage, 'block'), refresh !== undefined));
        if (typeof rendered !== 'string') rendered.catch(() => {});
      } catch {
        // Reported by the first blocked request, which renders again and answers in plain text.
      }
    },
  };
}

/** A held request that waited too long, or an upgrade in pause mode, gets the block page: it is the same 503. */
function answerMode(mode: MaintenanceMode): AnswerMode {
  return mode === 'pause' ? 'block' : mode;
}

function sendText(ctx: Context, answers: Answers): void {
  ctx.set('Content-Type', 'text/plain; charset=utf-8');
  ctx.body = answers.text ??= textBody(answers.facts);
}

/** The last resort when the 503 itself could not be written: no texts, no negotiation, nothing that can fail. */
export function sendBareUnavailable(ctx: Context): void {
  const { res } = ctx;
  if (res.headersSent) return void res.destroy();
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  ctx.status = 503;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  ctx.body = 'Service Unavailable\n';
}
