import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';
import { optionError } from '../option-error.js';
import { compileIpMatcher, unmapIPv4, withoutZone } from './ip-matcher.js';

/** `(address, hopIndex) => boolean`, the same contract as Express's "trust proxy" function. */
export type TrustFunction = (address: string, hop: number) => boolean;

/** Which proxies may tell us the client's address; see docs/security.md "trustProxy". */
export type TrustProxy = boolean | number | string | readonly string[] | TrustFunction;

/** Returns the client's address as plain text (IPv4-mapped IPv6 as IPv4, no zone id), or `undefined` when unknown. */
export type ClientIpResolver = (req: IncomingMessage) => string | undefined;

/** Exactly what `net.isIP` accepts (no spaces, no zone id but a link-local one), as plain text; else `undefined`. */
function normalize(address: unknown): string | undefined {
  if (typeof address !== 'string' || isIP(address) === 0) return undefined;
  const bare = withoutZone(address);
  return bare === undefined ? undefined : unmapIPv4(bare);
}

/** A compiled trust setting: `false` trusts no proxy, so only the socket's peer address counts. */
export type Trust = TrustFunction | false;

/** Compiles `trustProxy` once; a bad setting is a TypeError naming it. */
export function compileTrust(trustProxy: TrustProxy): Trust {
  if (trustProxy === false || trustProxy === 0) return false;
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0) {
      throw optionError('trustProxy', trustProxy, 'is not a hop count (a non-negative integer)');
    }
    return (_address, hop) => hop < trustProxy;
  }
  if (typeof trustProxy === 'function') return trustProxy;
  const entries = typeof trustProxy === 'string' ? trustProxy.split(',').map((entry) => entry.trim()) : trustProxy;
  if (!Array.isArray(entries)) {
    throw optionError('trustProxy', trustProxy, 'is not false, true, a hop count, an address list or a function');
  }
  const trusted = compileIpMatcher(entries, 'trustProxy');
  return (address) => trusted(address);
}

/**
 * How far X-Forwarded-For is walked: past at most this many trusted hops (the socket's peer is the first), so
 * at most this many entries are read. Past that the client is unknown, which fails closed. Real chains are a
 * few proxies, while Node's 16 kB of headers hold 1,400 loopback hops, each of which proxy-addr would parse and
 * ask the trust setting about.
 */
export const MAX_TRUSTED_HOPS = 16;
/** The text those entries may take: 64 characters each (an IPv6 address with spaces and a zone id). */
const MAX_WALKED_TEXT = MAX_TRUSTED_HOPS * 64;

/**
 * The right-hand end of X-Forwarded-For that the bounded walk reads: whole entries only, at most
 * `MAX_TRUSTED_HOPS` of them within `MAX_WALKED_TEXT` characters, found from the right, so a long header costs
 * what its end costs. `cut` says whether anything lies to their left.
 */
function walkableEnd(header: string): { hops: string; cut: boolean } {
  let text = header;
  let cut = false;
  if (header.length > MAX_WALKED_TEXT) {
    text = header.slice(-MAX_WALKED_TEXT);
    // The first entry may be the end of a longer one: never read it (none at all when the window holds no comma).
    const comma = text.indexOf(',');
    text = comma === -1 ? '' : text.slice(comma + 1);
    cut = true;
  }
  let from = text.length;
  for (let commas = 0; commas < MAX_TRUSTED_HOPS; commas++) {
    const comma = from > 0 ? text.lastIndexOf(',', from - 1) : -1;
    if (comma === -1) return { hops: text, cut };
    from = comma;
  }
  return { hops: text.slice(from + 1), cut: true };
}

/**
 * Resolves the client's address under a compiled trust setting. With `false` (the default) the answer is the
 * socket's peer address and no header is read; otherwise X-Forwarded-For is walked from the right, past
 * trusted hops only, exactly as proxy-addr walks it but for at most `MAX_TRUSTED_HOPS` of them: past that the
 * client is unknown (`undefined`).
 * Never Koa's `ctx.ip`: with `app.proxy` it returns the left-most entry, which the client writes.
 */
export function createClientIpResolver(trust: Trust): ClientIpResolver {
  if (trust === false) {
    // A connection's peer address never changes, and keep-alive sends many requests over one socket:
    // normalise it once per socket (weakly held; an address not known yet is not kept).
    const bySocket = new WeakMap<object, string>();
    return function socketAddress(req) {
      const socket = req.socket;
      if (!socket) return undefined;
      let address = bySocket.get(socket);
      if (address === undefined) {
        address = normalize(socket.remoteAddress);
        if (address !== undefined) bySocket.set(socket, address);
      }
      return address;
    };
  }
  const isTrusted = (address: string, hop: number): boolean => typeof address === 'string' && trust(address, hop) === true;
  return function resolveClientIp(req) {
    try {
      const header = req.headers['x-forwarded-for'] ?? '';
      // Node joins repeated X-Forwarded-For lines into one string; anything else is no list we read.
      if (typeof header !== 'string') return undefined;
      const { hops, cut } = walkableEnd(header);
      const end = { headers: { 'x-forwarded-for': hops }, socket: req.socket } as unknown as IncomingMessage;
      let stopped = false;
      const walked = proxyaddr.all(end, (address, hop) => {
        if (isTrusted(address, hop)) return true;
        stopped = true;
        return false;
      });
      const client = walked[walked.length - 1] as string;
      // Not stopped: proxy-addr took the left-most entry read without asking. Past a cut, a trusted one
      // hides the client further left, unread.
      if (cut && !stopped && isTrusted(client, walked.length - 1)) return undefined;
      return normalize(client);
    } catch {
      return undefined;
    }
  };
}

/** Whether the socket's peer is a proxy the trust setting believes: hop 0, given as proxy-addr gives it. */
export function createPeerTrust(trust: Trust): (req: IncomingMessage) => boolean {
  if (trust === false) return () => false;
  return function peerIsTrusted(req) {
    const peer = req.socket?.remoteAddress;
    try {
      return typeof peer === 'string' && trust(peer, 0) === true;
    } catch {
      return false;
    }
  };
}
