import fc from 'fast-check';

/**
 * Request targets from the grammar of RFC 9112 §3.2, not from examples: origin-form (`/path?query`),
 * absolute-form (`scheme:hier-part`, with odd, empty and userinfo authorities and any scheme spelling),
 * authority-form (`host:port`) and asterisk-form (`*`). Paths spell the names a test's rules care about in
 * many ways (escapes, odd separators, dot segments), so rule paths come up often and in disguise.
 */

/** One character as written, or percent-encoded in upper or lower case hex; an existing escape stays whole. */
function spelledToken(token: string): fc.Arbitrary<string> {
  if (token.startsWith('%')) return fc.constant(token);
  const hex = token.charCodeAt(0).toString(16).padStart(2, '0');
  const encoded = fc.constantFrom(`%${hex.toUpperCase()}`, `%${hex.toLowerCase()}`);
  return fc.oneof({ weight: 8, arbitrary: fc.constant(token) }, { weight: 1, arbitrary: encoded });
}

const OTHER_SEGMENTS = ['orders', 'x', 'caf%C3%A9', '', '.', '..', ';', 'a;b'];
const ODD_SEPARATORS = ['//', '%2F', '%2f', '%5C', '\\'];

/**
 * A path without its leading `/`: segments (the rule names drawn as often as all others together) joined by
 * separators, maybe a trailing slash, maybe a query. Half have one segment, as health paths do.
 */
export function pathBody(ruleSegments: readonly string[]): fc.Arbitrary<string> {
  const segment = fc
    .oneof(fc.constantFrom(...ruleSegments), fc.constantFrom(...OTHER_SEGMENTS))
    .chain((name) => fc.tuple(...(name.match(/%[0-9A-Fa-f]{2}|./g) ?? []).map(spelledToken)))
    .map((tokens) => tokens.join(''));
  const separator = fc.oneof({ weight: 5, arbitrary: fc.constant('/') }, { weight: 2, arbitrary: fc.constantFrom(...ODD_SEPARATORS) });
  const more = fc.oneof(fc.constant([]), fc.array(fc.tuple(separator, segment), { minLength: 1, maxLength: 3 }));
  const trailingSlash = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constant('/') });
  return fc
    .tuple(segment, more, trailingSlash, query)
    .map(([first, rest, slash, search]) => [first, ...rest.map(([sep, name]) => sep + name), slash, search].join(''));
}

const query = fc.constantFrom('', '', '?x=1', '?');

/** Any scheme spelling: Node reads the target whatever the scheme says. */
const scheme = fc.constantFrom('http', 'https', 'HTTP', 'hTTp', 'ws', 'wss', 'foo', 'x+y.z-1');

/** Hosts a client may write, readable or not: empty, a bare dot, an unclosed IPv6 literal, a lone escape, a punycode stub. */
const host = fc.constantFrom('shop.example', 'SHOP.example.', 'a.', '', '127.0.0.1', '[::1]', '[::1', '%68', 'xn--', 'xn--0');
const userinfo = fc.constantFrom('', '', '', '@', 'user@', 'user:pw@', '%40@');
const port = fc.constantFrom('', '', ':', ':8080', ':99999', ':abc');
const authority = fc.tuple(userinfo, host, port).map((parts) => parts.join(''));

/**
 * `scheme:hier-part`: `//authority` then an absolute or empty path (or one glued to the host with an escaped
 * separator, `http://a.%2Fhealthz`), or a path with no authority (`http:/healthz`, `http:healthz`, `http:`).
 */
function absoluteForm(body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const afterAuthority = fc.oneof(
    { weight: 4, arbitrary: body.map((path) => `/${path}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('%2F', '%2f', ''), body).map(([glue, path]) => glue + path) },
    { weight: 1, arbitrary: query },
  );
  const hierPart = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(authority, afterAuthority).map(([auth, path]) => `//${auth}${path}`) },
    { weight: 1, arbitrary: body.map((path) => `/${path}`) },
    { weight: 1, arbitrary: fc.oneof(body, fc.constant('')) },
  );
  return fc.tuple(scheme, hierPart).map(([name, rest]) => `${name}:${rest}`);
}

/** `host:port`, as CONNECT takes it (and any other method may send). */
const authorityForm = fc.tuple(fc.constantFrom('shop.example', '127.0.0.1', '[::1]', 'healthz'), fc.constantFrom(':443', ':80', ':0')).map(([name, number]) => name + number);

/** `*`, and the odd things Node also reads as one (`*` followed by a path). */
function asteriskForm(body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: body.map((path) => `*/${path}`) });
}

/** A request target of any of the four forms; origin- and absolute-form most often, since rules meet them most. */
export function requestTarget(ruleSegments: readonly string[]): fc.Arbitrary<string> {
  const body = pathBody(ruleSegments);
  return fc.oneof(
    { weight: 4, arbitrary: body.map((path) => `/${path}`) },
    { weight: 4, arbitrary: absoluteForm(body) },
    { weight: 1, arbitrary: authorityForm },
    { weight: 1, arbitrary: asteriskForm(body) },
  );
}
