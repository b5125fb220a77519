import { isIPv4, isIPv6 } from 'node:net';

/**
 * An IP address as 128 bits in four 32-bit words. IPv4 addresses are stored in their
 * IPv4-mapped IPv6 form (::ffff:a.b.c.d), so `1.2.3.4` and `::ffff:1.2.3.4` are the same value.
 */
export type IpWords = readonly [number, number, number, number];

const MAPPED_PREFIX = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** A link-local IPv6 address (fe80::/10): the only kind whose zone id (`%eth0`) names an interface. */
const LINK_LOCAL_IPV6 = /^fe[89ab][0-9a-f]:/i;

/**
 * Drops the zone id of a link-local IPv6 address (`fe80::1%eth0`): it names an interface, not another address.
 * A zone id anywhere else (`127.0.0.1%eth0`, `::1%x`) makes the text no address at all: `undefined`.
 */
export function withoutZone(address: string): string | undefined {
  const percent = address.indexOf('%');
  if (percent === -1) return address;
  const bare = address.slice(0, percent);
  return LINK_LOCAL_IPV6.test(bare) && isIPv6(bare) ? bare : undefined;
}

/**
 * `::ffff:1.2.3.4` becomes `1.2.3.4`, and so do its other spellings (`::ffff:102:304`,
 * `0:0:0:0:0:ffff:1.2.3.4`); every other address is returned as it is.
 */
export function unmapIPv4(address: string): string {
  const mapped = MAPPED_PREFIX.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address) || !/ffff/i.test(address)) return address;
  const words = parseIp(address);
  if (!words || words[0] !== 0 || words[1] !== 0 || words[2] !== 0xffff) return address;
  const v4 = words[3];
  return `${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
}

function ipv4ToNumber(address: string): number {
  const parts = address.split('.');
  return ((Number(parts[0]) << 24) | (Number(parts[1]) << 16) | (Number(parts[2]) << 8) | Number(parts[3])) >>> 0;
}

/** `64:ff9b::1.2.3.4` becomes `64:ff9b::102:304`, so the rest of parsing sees only hex groups. */
function expandEmbeddedIPv4(address: string): string {
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (!tail.includes('.')) return address;
  const v4 = ipv4ToNumber(tail);
  return `${address.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
}

function hexGroups(part: string | undefined): number[] {
  return part ? part.split(':').map((group) => parseInt(group, 16)) : [];
}

function ipv6Groups(address: string): number[] {
  const [head, tail] = expandEmbeddedIPv4(address).split('::');
  const left = hexGroups(head);
  const right = hexGroups(tail);
  const zeros = 8 - left.length - right.length;
  return [...left, ...new Array<number>(zeros).fill(0), ...right];
}

/** Parses an IPv4 or IPv6 address; `undefined` when it is neither. */
export function parseIp(input: string): IpWords | undefined {
  const address = withoutZone(input);
  if (address === undefined) return undefined;
  if (isIPv4(address)) return [0, 0, 0xffff, ipv4ToNumber(address)];
  if (!isIPv6(address)) return undefined;
  const g = ipv6Groups(address);
  const word = (i: number): number => ((g[i]! << 16) | g[i + 1]!) >>> 0;
  return [word(0), word(2), word(4), word(6)];
}
