import fc from 'fast-check';

/**
 * Generators for request paths built from a structure (segments), so the test knows the canonical
 * form independently of `canonicalPath`, and for the many ways to spell the same decoded path.
 */

/** A path segment as the decoded path holds it; `''` makes a repeated slash. */
export type Segment = string;

const PLAIN = 'abcxyz019-_~'.split('');
/** Characters with a meaning somewhere (query, fragment, params, escapes, controls) that are plain text in a segment. */
const AWKWARD = ['.', '%', ';', '?', '#', '&', '=', '+', ' ', '"', '<', '>', '|', '^', '`', '{', '}', ',', '!', '$', "'", '(', ')', '*', ':', '@', '[', ']', '\u0000', '\u0001', '\t', '\n', '\u007f'];
/** Non-ASCII, including lookalikes of `/` and `.` that must stay ordinary characters. */
const UNICODE = ['é', 'ü', '中', '😀', '\u2215', '\u2044', '\uFF0F', '\uFF3C', '\uFF0E', '\u2024', '\u00A0', '\u200B'];

const nameChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAIN) },
  { weight: 2, arbitrary: fc.constantFrom(...AWKWARD) },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE) },
);

/** A segment name: never exactly `.` or `..` (those are generated as dot segments on purpose). */
export const segmentName: fc.Arbitrary<string> = fc
  .array(nameChar, { minLength: 1, maxLength: 8 })
  .map((chars) => chars.join(''))
  .filter((name) => name !== '.' && name !== '..');

/** The names the allowed-URL patterns in these tests care about, so generated paths hit them often. */
export const KNOWN_NAMES = ['public', 'health', 'api', 'status', 'admin', 'private'];

export const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 6, arbitrary: segmentName },
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_NAMES) },
  { weight: 2, arbitrary: fc.constant('.') },
  { weight: 3, arbitrary: fc.constant('..') },
  { weight: 1, arbitrary: fc.constant('') },
);

export interface PathShape {
  segments: Segment[];
  trailingSlash: boolean;
}

export const pathShape = (maxSegments = 12, minSegments = 0): fc.Arbitrary<PathShape> =>
  fc.record({ segments: fc.array(segment, { minLength: minSegments, maxLength: maxSegments, size: 'max' }), trailingSlash: fc.boolean() });

/** The decoded path: `/` + segments joined by `/`. */
export function decodedPath(shape: PathShape): string {
  return `/${shape.segments.join('/')}${shape.trailingSlash ? '/' : ''}`;
}

/**
 * The canonical form, computed from the structure with a stack (an oracle independent of `canonicalPath`):
 * empty and `.` segments vanish, `..` pops (never above the root), a trailing slash survives when the
 * decoded path ends in one and something is left.
 */
export function referenceCanonical(shape: PathShape): string {
  const stack: string[] = [];
  for (const part of decodedPath(shape).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') stack.pop();
    else stack.push(part);
  }
  const trailing = decodedPath(shape).endsWith('/') && stack.length > 0;
  return `/${stack.join('/')}${trailing ? '/' : ''}`;
}

/** Characters a raw HTTP request target may carry as they are (Node's parser answers 400 to the others). */
const TARGET_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@"<>|^`{}[\]]$/;

const SEPARATOR_SPELLINGS = ['/', '\\', '%2F', '%2f', '%5C', '%5c'];

function percentEncode(char: string, upper: boolean): string {
  const bytes = Buffer.from(char, 'utf8');
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).map((hex) => (upper ? hex.toUpperCase() : hex)).join('');
}

/**
 * One spelling of a decoded path as tokens (each token a literal character or a whole `%XX` run), so a
 * test can insert something between tokens without splitting an escape. Each separator becomes one of
 * `/ \ %2F %2f %5C %5c`; every other character stays literal or is percent-encoded (hex case at random);
 * `%` is always `%25`. With `forRequestTarget`, the first separator is a literal `/` and characters an
 * HTTP request target cannot carry are always encoded.
 */
export function spelling(decoded: string, forRequestTarget: boolean): fc.Arbitrary<string[]> {
  const chars = [...decoded];
  return fc.tuple(...chars.map((char, index) => charSpelling(char, forRequestTarget && index === 0, forRequestTarget))).map((tokens) => tokens);
}

function charSpelling(char: string, mustBeSlash: boolean, forRequestTarget: boolean): fc.Arbitrary<string> {
  if (char === '/') return mustBeSlash ? fc.constant('/') : fc.constantFrom(...SEPARATOR_SPELLINGS);
  if (char === '%') return fc.constantFrom('%25');
  const encoded = fc.boolean().map((upper) => percentEncode(char, upper));
  const literalAllowed = !forRequestTarget || TARGET_SAFE.test(char);
  return literalAllowed ? fc.oneof(fc.constant(char), encoded) : encoded;
}

/**
 * The same choices as `spelling`, drawn from a seeded generator instead of one arbitrary per character:
 * fast enough for paths of many thousands of characters (a tuple of that many arbitraries is not).
 */
export function seededSpelling(decoded: string, seed: number, forRequestTarget: boolean): string {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return [...decoded]
    .map((char, index) => {
      if (char === '/') return forRequestTarget && index === 0 ? '/' : SEPARATOR_SPELLINGS[Math.floor(next() * SEPARATOR_SPELLINGS.length)]!;
      if (char === '%') return '%25';
      const literalAllowed = !forRequestTarget || TARGET_SAFE.test(char);
      return literalAllowed && next() < 0.5 ? char : percentEncode(char, next() < 0.5);
    })
    .join('');
}

/** Byte sequences that are not UTF-8 (overlong forms, surrogates, stray continuation bytes, truncation) or not escapes at all. */
export const MALFORMED_ESCAPES = [
  '%g', '%%', '%2g', '%G1', '%zz', '%%32%65', '%/', '%2/',
  '%C0%AF', '%C0%AE', '%C1%9C', '%E0%80%AF', '%E0%80%AE', '%F0%80%80%AF', '%C0%80',
  '%ED%A0%80', '%ED%BF%BF', '%FF', '%FE', '%80', '%BF',
  '%E2%82x', '%F0%9F%98x', '%C3x', '%F4%90%80%80',
];

/**
 * Inserts a malformed escape between two tokens of a spelling. Each entry above is malformed whatever follows
 * it (a bare `%` or `%2` would not be: before `2e` or `a` they become valid escapes).
 */
export function withMalformed(tokens: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat({ max: tokens.length }), fc.constantFrom(...MALFORMED_ESCAPES))
    .map(([at, bad]) => [...tokens.slice(0, at), bad, ...tokens.slice(at)].join(''));
}

/**
 * Noise that never changes the canonical form: `.` segments, empty segments, and `name/..` pairs,
 * inserted before existing segments (never at the end, where they could change the trailing slash).
 */
export function withNoise(shape: PathShape): fc.Arbitrary<PathShape> {
  if (shape.segments.length === 0) return fc.constant(shape);
  const insertion = fc.tuple(
    fc.nat({ max: shape.segments.length - 1 }),
    fc.oneof(fc.constant(['.']), fc.constant(['']), segmentName.map((name) => [name, '..'])),
  );
  return fc.array(insertion, { maxLength: 6 }).map((insertions) => {
    const segments = [...shape.segments];
    // Insert from the highest index down so earlier positions stay valid.
    for (const [at, parts] of [...insertions].sort((a, b) => b[0] - a[0])) segments.splice(at, 0, ...parts);
    return { segments, trailingSlash: shape.trailingSlash };
  });
}
