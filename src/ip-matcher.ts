import { isIPv4 } from 'node:net';
import { parseIp, type IpWords } from './ip-address.js';
import { optionError } from './option-error.js';

/** Tells whether an address (IPv4, IPv6 or IPv4-mapped IPv6) falls in any of the compiled ranges. */
export type IpMatcher = (address: string) => boolean;

interface Range {
  readonly base: IpWords;
  readonly mask: IpWords;
}

/** The same named ranges proxy-addr knows, so `trustProxy` and `bypassIps` speak one language. */
const NAMED_RANGES: ReadonlyMap<string, readonly string[]> = new Map([
  ['loopback', ['127.0.0.1/8', '::1/128']],
  ['linklocal', ['169.254.0.0/16', 'fe80::/10']],
  ['uniquelocal', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']],
]);

const IPV4_MAPPED_PREFIX_BITS = 96;

function maskWords(bits: number): IpWords {
  const word = (i: number): number => {
    const inWord = Math.min(32, Math.max(0, bits - 32 * i));
    return inWord === 0 ? 0 : (0xffffffff << (32 - inWord)) >>> 0;
  };
  return [word(0), word(1), word(2), word(3)];
}

function applyMask(address: IpWords, mask: IpWords): IpWords {
  return [
    (address[0] & mask[0]) >>> 0,
    (address[1] & mask[1]) >>> 0,
    (address[2] & mask[2]) >>> 0,
    (address[3] & mask[3]) >>> 0,
  ];
}

/** Parses `address` or `address/prefix`; `undefined` when it is not one. IPv4 prefixes count within the mapped form. */
function parseRange(entry: string): Range | undefined {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const words = parseIp(address);
  if (!words) return undefined;
  const ipv4 = isIPv4(address);
  const maxBits = ipv4 ? 32 : 128;
  let bits = maxBits;
  if (slash !== -1) {
    const prefix = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxBits) return undefined;
    bits = Number(prefix);
  }
  const mask = maskWords(ipv4 ? IPV4_MAPPED_PREFIX_BITS + bits : bits);
  return { base: applyMask(words, mask), mask };
}

function inRange(address: IpWords, range: Range): boolean {
  const { base, mask } = range;
  return (
    ((address[0] & mask[0]) >>> 0) === base[0] &&
    ((address[1] & mask[1]) >>> 0) === base[1] &&
    ((address[2] & mask[2]) >>> 0) === base[2] &&
    ((address[3] & mask[3]) >>> 0) === base[3]
  );
}

/** Expands a named range or parses one address or CIDR range; `undefined` when it is neither. */
function rangesOf(entry: string): Range[] | undefined {
  const texts = NAMED_RANGES.get(entry) ?? [entry];
  const ranges = texts.map(parseRange);
  return ranges.every((range) => range !== undefined) ? (ranges as Range[]) : undefined;
}

/**
 * Compiles addresses, CIDR ranges and named ranges once, throwing a TypeError that names
 * `optionName[index]` for the first bad entry. The matcher never throws: an unparsable address matches nothing.
 */
export function compileIpMatcher(entries: readonly unknown[], optionName: string): IpMatcher {
  const ranges = entries.flatMap((entry, index) => {
    const parsed = typeof entry === 'string' ? rangesOf(entry.trim()) : undefined;
    if (!parsed) throw optionError(`${optionName}[${index}]`, entry, 'is not an IP address, CIDR range or named range (loopback, linklocal, uniquelocal)');
    return parsed;
  });
  if (ranges.length === 0) return () => false;
  // The same client usually asks many times in a row: remember the last answer (a pure function of the text).
  let lastAddress: string | undefined;
  let lastAnswer = false;
  return function matchesIp(address: string): boolean {
    if (address === lastAddress) return lastAnswer;
    const words = parseIp(address);
    let answer = false;
    if (words) for (const range of ranges) if (inRange(words, range)) { answer = true; break; }
    lastAddress = address;
    lastAnswer = answer;
    return answer;
  };
}
