import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
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
 * How far X-Forwarded-For is walked: past at most this many trusted hops, reading at most one list element
 * more than that (empty ones count), each at most `MAX_ELEMENT_LENGTH` characters. Past that the client is
 * unknown, which fails closed. Real chains are a few proxies, while Node's 16 kB of headers hold 1,400 loopback
 * hops, which cost proxy-addr about a hundred blocked requests to walk; 16 hops cost 1.5 (2.4 for IPv6 hops).
 */
export const MAX_TRUSTED_HOPS = 16;
/** The longest IPv6 text is 45 characters; the rest is room for spaces around it and a link-local zone id. */
const MAX_ELEMENT_LENGTH = 64;

const SPACE = 0x20;
/** What lies past the walk's bounds: a trusted hop may not be passed towards it. */
const UNREADABLE = Symbol('unreadable');

/**
 * Where the list element that ends at `end` starts: after the comma before it, looked for among the last
 * `MAX_ELEMENT_LENGTH` characters only (`lastIndexOf` scans the whole string backwards: 15 kB of spaces cost
 * it 15 µs); -1 when that comma is further left.
 */
function elementStart(header: string, end: number): number {
  const from = end - MAX_ELEMENT_LENGTH - 1;
  if (from < 0) return end === 0 ? 0 : header.lastIndexOf(',', end - 1) + 1;
  const comma = header.slice(from, end).lastIndexOf(',');
  return comma === -1 ? -1 : from + comma + 1;
}

/** The list element in `header` from `start` to `end`, as proxy-addr reads it: only spaces (U+0020) trimmed, so a tab stays and makes the hop no address. */
function elementOf(header: string, start: number, end: number): string {
  while (start < end && header.charCodeAt(start) === SPACE) start += 1;
  while (end > start && header.charCodeAt(end - 1) === SPACE) end -= 1;
  return header.slice(start, end);
}

/**
 * proxy-addr's walk, bounded: the socket's peer is hop 0, then X-Forwarded-For's entries from the right (empty
 * ones skipped); the first untrusted hop is the client, or the left-most entry once every hop before it is
 * trusted (it is never asked about). Only the elements walked are read, found with `lastIndexOf`.
 */
function walkForwardedFor(header: string, peer: string | undefined, trust: TrustFunction): string | undefined {
  let address = peer;
  let end = header.length; // the unread text is header.slice(0, end); -1 once the left-most element is read
  let elements = 0;
  for (let hop = 0; ; hop += 1) {
    // The next entry to the left: UNREADABLE past the bounds, undefined when the list is done.
    let next: string | typeof UNREADABLE | undefined;
    while (next === undefined && end >= 0) {
      const start = elements > MAX_TRUSTED_HOPS ? -1 : elementStart(header, end);
      if (start === -1) {
        next = UNREADABLE;
      } else {
        const element = elementOf(header, start, end);
        end = start - 1;
        elements += 1;
        if (element !== '') next = element;
      }
    }
    if (next === undefined) return address;
    if (address === undefined || trust(address, hop) !== true) return address;
    if (next === UNREADABLE || hop >= MAX_TRUSTED_HOPS) return undefined;
    address = next;
  }
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
  return function resolveClientIp(req) {
    try {
      const header = req.headers['x-forwarded-for'] ?? '';
      // Node joins repeated X-Forwarded-For lines into one string; anything else is no list we read.
      if (typeof header !== 'string') return undefined;
      return normalize(walkForwardedFor(header, req.socket?.remoteAddress, trust));
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
