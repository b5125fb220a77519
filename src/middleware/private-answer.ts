import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'koa';

/** The headers Node's `writeHead(status, [reason], headers)` takes: an object, a flat `[name, value, …]` list, or pairs. */
type WriteHeadHeaders = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/** Sets the headers `writeHead` was given on the response itself, the way Node does when headers were set before. */
function setGiven(res: ServerResponse, headers: WriteHeadHeaders): void {
  if (headers === undefined || headers === null) return;
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (name && value !== undefined) res.setHeader(name, value);
    return;
  }
  const pairs: [string, OutgoingHttpHeader][] = Array.isArray(headers[0])
    ? (headers as unknown as [string, OutgoingHttpHeader][])
    : Array.from({ length: headers.length >> 1 }, (_, i) => [String(headers[2 * i]), headers[2 * i + 1] as OutgoingHttpHeader]);
  for (const [name] of pairs) res.removeHeader(name);
  for (const [name, value] of pairs) if (name) res.appendHeader(name, typeof value === 'number' ? String(value) : value);
}

/**
 * While maintenance is on, an answer a bypass let through is the staff's view of a half-migrated site, and
 * must stay out of shared caches (CDNs cache 404s too). `Cache-Control: private, no-store` (and `Vary` on the
 * credential) are set at the moment the response's head is written, whoever writes it: Koa after the app,
 * Koa's error handler (which clears every header but `err.headers`), an app that writes the response itself
 * (`ctx.respond = false`, `res.writeHead`, `flushHeaders`, Server-Sent Events). Every one of them ends in
 * `res.writeHead`, so that is the one place that holds for all; headers given to that call are set first,
 * so they cannot undo ours.
 */
export function keepAnswerPrivate(ctx: Context, varyBy: string | undefined): void {
  const res = ctx.res;
  const writeHead = res.writeHead as (this: ServerResponse, statusCode: number, reason?: string) => ServerResponse;
  res.writeHead = function writeHeadPrivately(this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    // As Node reads them: `(status, reason, headers)`, or `(status, headers)`, or a reason that is not a string and headers after it.
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    setGiven(this, (reason === undefined ? (rest[1] ?? rest[0]) : rest[1]) as WriteHeadHeaders);
    this.setHeader('Cache-Control', 'private, no-store');
    if (varyBy !== undefined) ctx.vary(varyBy);
    return reason === undefined ? writeHead.call(this, statusCode) : writeHead.call(this, statusCode, reason);
  } as ServerResponse['writeHead'];
}
