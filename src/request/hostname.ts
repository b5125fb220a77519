import type { IncomingMessage } from 'node:http';

/** The request's host name for Unleash's `hostname` property, or `undefined` when there is none. */
export type HostnameReader = (req: IncomingMessage) => string | undefined;

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',', 1)[0];
}

/**
 * `shop.example.com` from `Shop.Example.COM.:8443`: lowercased, without port or trailing dot, so a constraint
 * on `hostname` cannot be dodged by spelling the same host another way. `[::1]` keeps its brackets.
 */
export function hostnameOf(host: string | undefined): string | undefined {
  let name = host?.trim().toLowerCase();
  if (!name) return undefined;
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end === -1 ? undefined : name.slice(0, end + 1);
  }
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? undefined : name;
}

/**
 * Reads the host from `Host` (HTTP/2: `:authority`). `X-Forwarded-Host` counts only when the socket's peer is
 * a proxy the `trustProxy` setting believes, the same trust that resolves the client IP: never because of
 * Koa's `app.proxy` alone, which would let any client name the host.
 */
export function createHostnameReader(peerIsTrusted: (req: IncomingMessage) => boolean): HostnameReader {
  return function readHostname(req) {
    const forwarded = peerIsTrusted(req) ? hostnameOf(firstValue(req.headers['x-forwarded-host'])) : undefined;
    return forwarded ?? hostnameOf(req.headers.host ?? firstValue(req.headers[':authority']));
  };
}
