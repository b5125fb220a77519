import type { Context } from 'koa';
import { createPageRenderer, type Locals, type PageLocals } from './page.js';
import type { MaintenancePayload } from './payload.js';
import type { Report } from './reporter.js';
import { DEFAULT_TEXTS, formatUntil } from './texts.js';

/** Answers a request that maintenance blocks. */
export type Respond = (ctx: Context, payload: MaintenancePayload) => Promise<void>;

export interface ResponderOptions {
  viewsDir: string;
  view: string;
  locals: Locals | undefined;
  retryAfter: number | Date | undefined;
  report: Report;
}

/** What this window says, merged from the payload and the `retryAfter` option. Undefined fields are absent. */
interface WindowFacts {
  title?: string;
  message?: string;
  retryAfter?: number;
  until?: Date;
}

/** RFC 9457 `type`: the RFC 9110 definition of 503, since a maintenance answer is exactly that. */
const PROBLEM_TYPE = 'https://www.rfc-editor.org/rfc/rfc9110#status.503';
const NEGOTIABLE = ['html', 'json', 'application/problem+json', 'text'];

function factsOf(payload: MaintenancePayload, retryAfterOption: number | Date | undefined): WindowFacts {
  const facts: WindowFacts = { ...payload };
  if (facts.until === undefined && retryAfterOption instanceof Date) facts.until = retryAfterOption;
  if (facts.retryAfter === undefined && payload.until === undefined && typeof retryAfterOption === 'number') {
    facts.retryAfter = retryAfterOption;
  }
  return facts;
}

function setHeaders(ctx: Context, facts: WindowFacts): void {
  ctx.status = 503;
  ctx.set('Cache-Control', 'no-store');
  ctx.vary('Accept');
  if (facts.retryAfter !== undefined) ctx.set('Retry-After', String(facts.retryAfter));
  else if (facts.until !== undefined) ctx.set('Retry-After', facts.until.toUTCString());
}

function pageTexts(facts: WindowFacts): PageLocals {
  const texts: PageLocals = {};
  if (facts.title !== undefined) texts.title = facts.title;
  if (facts.message !== undefined) texts.message = facts.message;
  if (facts.retryAfter !== undefined) texts.retryAfter = facts.retryAfter;
  if (facts.until !== undefined) {
    texts.until = facts.until.toISOString();
    texts.untilText = formatUntil(facts.until);
  }
  return texts;
}

function problemBody(facts: WindowFacts): string {
  return JSON.stringify({
    type: PROBLEM_TYPE,
    title: facts.title ?? DEFAULT_TEXTS.title,
    status: 503,
    detail: facts.message ?? DEFAULT_TEXTS.message,
    retryAfter: facts.retryAfter,
    until: facts.until?.toISOString(),
  });
}

function textBody(facts: WindowFacts): string {
  const lines = [facts.title ?? DEFAULT_TEXTS.title, '', facts.message ?? DEFAULT_TEXTS.message];
  if (facts.until !== undefined) lines.push('', `Expected back by ${formatUntil(facts.until)}.`);
  return `${lines.join('\n')}\n`;
}

function sendText(ctx: Context, facts: WindowFacts): void {
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = textBody(facts);
}

/**
 * The 503 contract: `Cache-Control: no-store`, `Vary: Accept`, `Retry-After` when known; HTML for browsers
 * (and a missing or `*\/*` Accept), problem+json for API clients, plain text for anything else. A page that
 * fails to render is reported and replaced by the plain-text answer: never a 500, never the route.
 */
export function createResponder(options: ResponderOptions): Respond {
  const { retryAfter, report } = options;
  const renderPage = createPageRenderer(options.viewsDir, options.view, options.locals);

  async function sendPage(ctx: Context, facts: WindowFacts): Promise<void> {
    try {
      const html = await renderPage(ctx, pageTexts(facts));
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = html;
    } catch (error) {
      report('error', 'render', `rendering the maintenance page "${options.view}" failed; answered in plain text`, error);
      sendText(ctx, facts);
    }
  }

  return async function respond(ctx, payload) {
    const facts = factsOf(payload, retryAfter);
    setHeaders(ctx, facts);
    const type = ctx.accepts(NEGOTIABLE);
    if (type === 'html') return sendPage(ctx, facts);
    if (type === 'json' || type === 'application/problem+json') {
      ctx.type = 'application/problem+json; charset=utf-8';
      ctx.body = problemBody(facts);
      return;
    }
    sendText(ctx, facts);
  };
}
