import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';
import { compileIpMatcher, unmapIPv4, withoutZone } from './ip-matcher.js';
import { optionError } from '../option-error.js';

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
 * Resolves the client's address under a compiled trust setting. With `false` (the default) the answer is the
 * socket's peer address and no header is read; otherwise proxy-addr walks X-Forwarded-For from the right,
 * past trusted hops only.
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
  const guardedTrust = (address: string, hop: number): boolean => typeof address === 'string' && trust(address, hop) === true;
  return function resolveClientIp(req) {
    try {
      return normalize(proxyaddr(req, guardedTrust));
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
