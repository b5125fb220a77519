import { Agent, createServer, type Server } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { canonicalPath } from '../../src/index.js';
import { compileUrlMatcher, pathForRules } from '../../src/path-matcher.js';
import { gateApp, THROUGH, type GateApp } from './support/app.js';
import {
  decodedPath,
  MALFORMED_ESCAPES,
  pathShape,
  referenceCanonical,
  seededSpelling,
  segmentName,
  spelling,
  withMalformed,
  withNoise,
  type PathShape,
} from './support/paths.js';
import { closeServer, listen, rawGet } from './support/raw-http.js';
import { bootstrappedUnleash, maintenanceFeature } from './support/unleash.js';

const RUNS = { numRuns: 1000 };

/** The allowed URLs of the app under test: a prefix, an exact path, and a path with optional subpaths. */
const PATTERNS = [/^\/public\//, '^/health$', /^\/api\/status(\/|$)/];
const PATTERN_REGEXPS = PATTERNS.map((pattern) => new RegExp(pattern));
const isAllowedUrl = compileUrlMatcher(PATTERNS);

/** What the oracle says: the canonical form (computed from the structure) matches a pattern. */
function expectedAllowed(canonical: string): boolean {
  return PATTERN_REGEXPS.some((pattern) => pattern.test(canonical));
}

/** The middleware's own pipeline for the path: only a path written canonically (once decoded) meets the rules. */
function gateAllows(rawPath: string): boolean {
  const path = pathForRules(rawPath);
  return path !== undefined && isAllowedUrl(path);
}

/**
 * The oracle for "written canonically", independent of the implementation: decoded once (backslashes as
 * slashes), the path has no empty, `.` or `..` segment. Only such a path may be let through by a rule, since a
 * router mounted on a prefix sees the raw path, and `/api/../public/x` is under `/api` to it.
 */
function writtenCanonically(rawPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath).replaceAll('\\', '/');
  } catch {
    return false;
  }
  const path = decoded.startsWith('/') ? decoded : `/${decoded}`;
  const inner = path.slice(1).replace(/\/$/, '');
  return inner === '' ? path === '/' : !inner.split('/').some((part) => part === '' || part === '.' || part === '..');
}

/** What every canonical path looks like: rooted, `/`-separated, no empty, `.` or `..` segments (a trailing `/` is kept). */
function expectCanonicalShape(canonical: string): void {
  const inner = canonical.slice(1).replace(/\/$/, '');
  const badSegment = inner !== '' && inner.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (!canonical.startsWith('/') || canonical.includes('\\') || badSegment) expect.fail(`not canonical: ${JSON.stringify(canonical.slice(0, 200))}`);
}

const shapeWithSpelling = (forRequestTarget: boolean, maxSegments = 12, minSegments = 0) =>
  pathShape(maxSegments, minSegments).chain((shape) =>
    spelling(decodedPath(shape), forRequestTarget).map((tokens) => ({ shape, raw: tokens.join(''), tokens })),
  );

/** Paths that start inside `/public/` and then climb out of it with `..` (spelled any way). */
const escapingPublic = fc
  .record({
    inner: fc.array(segmentName, { maxLength: 4 }),
    extraUps: fc.nat({ max: 3 }),
    target: fc.array(segmentName, { maxLength: 4 }).filter((names) => names[0] !== 'public'),
    trailingSlash: fc.boolean(),
  })
  .map(({ inner, extraUps, target, trailingSlash }): PathShape => ({
    segments: ['public', ...inner, ...new Array<string>(inner.length + 1 + extraUps).fill('..'), ...target],
    trailingSlash,
  }));

describe('hardening: path canonicalisation (property-based)', function () {
  describe('canonicalPath and the allowed-URL matcher', function () {
    it('never throws on arbitrary input (binary strings, escape soup, very long paths), and yields a canonical shape or undefined', function () {
      const escapeSoup = fc
        .array(fc.oneof(fc.constantFrom('/', '\\', '.', '..', '%2F', '%5C', '%2e', '%00', '%25', '%', 'a', 'é', ...MALFORMED_ESCAPES), fc.string({ maxLength: 3 })), { maxLength: 60 })
        .map((parts) => parts.join(''));
      const long = fc.tuple(fc.constantFrom('/a', '/..', '/%2e%2e', '//', '\\', '/%C0%AF', '/public'), fc.integer({ min: 500, max: 3000 })).map(([unit, times]) => unit.repeat(times));
      const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), escapeSoup, long);
      fc.assert(
        fc.property(input, (raw) => {
          const canonical = canonicalPath(raw);
          if (canonical !== undefined) {
            expectCanonicalShape(canonical);
            isAllowedUrl(canonical);
          }
          gateAllows(raw);
        }),
        RUNS,
      );
    });

    it('gives the canonical form the structure says, for every spelling (%2F %5C \\ for separators, any character percent-encoded)', function () {
      fc.assert(
        fc.property(shapeWithSpelling(false), ({ shape, raw }) => {
          const expected = referenceCanonical(shape);
          expect(canonicalPath(raw)).to.equal(expected);
          expect(gateAllows(raw), `${raw} -> ${expected}`).to.equal(writtenCanonically(raw) && expectedAllowed(expected));
        }),
        RUNS,
      );
    });

    it('gives every spelling of the same path one canonical form, and lets one through only when it is written canonically (./, //, name/.. noise never passes)', function () {
      const pair = pathShape().chain((shape) =>
        withNoise(shape).chain((noisy) =>
          fc.tuple(spelling(decodedPath(shape), false), spelling(decodedPath(noisy), false), spelling(decodedPath(noisy), true)).map(([a, b, c]) => ({
            shape,
            spellings: [a.join(''), b.join(''), c.join('')],
          })),
        ),
      );
      fc.assert(
        fc.property(pair, ({ shape, spellings }) => {
          const expected = referenceCanonical(shape);
          for (const raw of spellings) {
            expect(canonicalPath(raw), raw).to.equal(expected);
            expect(gateAllows(raw), raw).to.equal(writtenCanonically(raw) && expectedAllowed(expected));
          }
        }),
        RUNS,
      );
    });

    it('gives every percent-encoded spelling of the same path the same answer', function () {
      const spellings = pathShape().chain((shape) =>
        fc.tuple(spelling(decodedPath(shape), false), spelling(decodedPath(shape), true)).map(([a, b]) => [a.join(''), b.join('')]),
      );
      fc.assert(
        fc.property(spellings, ([a, b]) => {
          expect(gateAllows(a!), `${a} vs ${b}`).to.equal(gateAllows(b!));
        }),
        RUNS,
      );
    });

    it('never allows a path whose canonical form leaves the allowed prefix through .. (however the dots and slashes are spelled)', function () {
      const publicOnly = compileUrlMatcher([/^\/public\//]);
      fc.assert(
        fc.property(
          escapingPublic.chain((shape) => spelling(decodedPath(shape), false).map((tokens) => ({ shape, raw: tokens.join('') }))),
          ({ shape, raw }) => {
            expect(referenceCanonical(shape).startsWith('/public/')).to.equal(false);
            const canonical = canonicalPath(raw);
            expect(canonical).to.equal(referenceCanonical(shape));
            expect(publicOnly(canonical!), raw).to.equal(false);
          },
        ),
        RUNS,
      );
    });

    it('treats any path with a malformed escape or non-UTF-8 bytes (overlong, surrogate, truncated) as undecodable: not allowed', function () {
      fc.assert(
        fc.property(
          shapeWithSpelling(false).chain(({ tokens }) => withMalformed(tokens)),
          (raw) => {
            expect(canonicalPath(raw), raw).to.equal(undefined);
            expect(gateAllows(raw)).to.equal(false);
          },
        ),
        RUNS,
      );
    });

    it('handles very long paths (hundreds to a thousand segments, up to ~20 kB) by the same rules', function () {
      this.timeout(30_000);
      fc.assert(
        fc.property(pathShape(1000, 200), fc.integer(), (shape, seed) => {
          const raw = seededSpelling(decodedPath(shape), seed, false);
          expect(canonicalPath(raw)).to.equal(referenceCanonical(shape));
          expect(gateAllows(raw)).to.equal(writtenCanonically(raw) && expectedAllowed(referenceCanonical(shape)));
        }),
        RUNS,
      );
    });

    it('matches hand-picked tricks as documented', function () {
      const table: [string, string | undefined][] = [
        ['/public/../admin', '/admin'],
        ['/public/%2e%2e/admin', '/admin'],
        ['/public/%2E%2e%2fadmin', '/admin'],
        ['/public/..%2Fadmin', '/admin'],
        ['/public/..%5Cadmin', '/admin'],
        ['/public\\..\\admin', '/admin'],
        ['/public/%252e%252e/admin', '/public/%2e%2e/admin'], // decoded once: the second layer is text
        ['//public//x', '/public/x'],
        ['/public/./x/', '/public/x/'],
        ['/public%00/x', '/public\u0000/x'],
        ['/public/%C0%AF', undefined], // overlong "/"
        ['/public/%C0%AE%C0%AE/admin', undefined], // overlong ".."
        ['/public/%ED%A0%80', undefined], // UTF-16 surrogate
        ['/public/%E2%82', undefined], // truncated
        ['/public/%', undefined],
        ['/health/', '/health/'],
        ['/%68ealth', '/health'],
        ['/\uFF0Fpublic\uFF0Fx', '/\uFF0Fpublic\uFF0Fx'], // fullwidth solidus is not a separator
        ['*', '/*'],
      ];
      for (const [raw, expected] of table) expect(canonicalPath(raw), raw).to.equal(expected);
    });
  });

  describe('end to end through the middleware', function () {
    let unleash: Unleash;
    let gate: GateApp;
    let server: Server;
    let port: number;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    before(async function () {
      unleash = await bootstrappedUnleash([maintenanceFeature(true)]);
      gate = gateApp({ unleash, allowedUrls: PATTERNS });
      server = createServer(gate.app.callback());
      port = await listen(server);
    });

    after(async function () {
      agent.destroy();
      await closeServer(server);
      unleash.destroy();
    });

    /** Sends the raw target and checks the answer: the route (200 `through`) exactly when allowed, else the 503. */
    async function expectGate(raw: string, allowed: boolean, viaAgent: Agent | undefined = agent): Promise<void> {
      gate.reset();
      const res = await rawGet({ port, path: raw, agent: viaAgent, headers: { accept: 'text/plain' } });
      expect(gate.last?.url, 'the server saw the target as sent').to.equal(raw);
      if (allowed) {
        expect(res.status, raw).to.equal(200);
        expect(res.body).to.equal(THROUGH);
        expect(gate.last?.decision?.reason).to.equal('allowed-url');
      } else {
        expect(res.status, raw).to.equal(503);
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body).not.to.equal(THROUGH);
        expect(gate.last?.decision?.reason).to.equal('blocked');
      }
    }

    it('lets a raw request target through exactly when its canonical form matches (1,000 generated targets, malformed ones included)', async function () {
      this.timeout(30_000);
      const target = fc.oneof(
        { weight: 4, arbitrary: shapeWithSpelling(true).map(({ shape, raw }) => ({ raw, allowed: writtenCanonically(raw) && expectedAllowed(referenceCanonical(shape)) })) },
        { weight: 1, arbitrary: shapeWithSpelling(true).chain(({ tokens }) => withMalformed(tokens)).map((raw) => ({ raw, allowed: false })) },
      ).filter(({ raw }) => raw.startsWith('/') && !raw.startsWith('//'));
      await fc.assert(
        fc.asyncProperty(target, async ({ raw, allowed }) => {
          await expectGate(raw, allowed);
        }),
        RUNS,
      );
    });

    it('never lets a target that climbs out of /public/ through', async function () {
      this.timeout(30_000);
      const target = escapingPublic.chain((shape) => spelling(decodedPath(shape), true)).map((tokens) => tokens.join(''));
      await fc.assert(
        fc.asyncProperty(target, async (raw) => {
          await expectGate(raw, false);
        }),
        RUNS,
      );
    });

    it('answers a 14 kB path by the rules and a path over Node\'s header limit with 431, never the route', async function () {
      // Fresh connections: on a reused keep-alive socket Node's parser answered 431 to a 14 kB target already.
      const allowedLong = `/public/${'a/'.repeat(7_000)}x`;
      await expectGate(allowedLong, true, undefined);
      const escapingLong = `/public/${'a/'.repeat(1_000)}${'..%2F'.repeat(1_002)}admin`;
      await expectGate(escapingLong, false, undefined);
      const tooLong = await rawGet({ port, path: `/public/${'a'.repeat(20_000)}`, headers: { accept: 'text/plain' } });
      expect(tooLong.status).to.equal(431);
      expect(tooLong.body).not.to.equal(THROUGH);
    });

    it('gives the same answers through supertest on app.callback() for a sample of tricks', async function () {
      // supertest parses the URL with WHATWG rules, which turn "\" into "/": backslash tricks are sent raw above.
      const table: [string, number][] = [
        ['/public/x', 200],
        ['/public/../admin', 503],
        ['/public/%2e%2e/admin', 503],
        ['/public/..%2Fadmin', 503],
        ['/public/..%5cadmin', 503],
        ['/public/%252e%252e/admin', 200],
        ['//public//x', 503],
        ['/admin/../public/x', 503],
        ['/%70ublic/x', 200],
        ['/public%2Fx', 200],
        ['/public/%C0%AE%C0%AE/admin', 503],
        ['/public/%ED%A0%80', 503],
        ['/public/%', 503],
        ['/public%00/x', 503],
        ['/health', 200],
        ['/health/', 503],
        ['/health%2F', 503],
        ['/health;x', 503],
        ['/health?x=1', 200],
        ['/api/status', 200],
        ['/api/statusx', 503],
        ['/api/./status/', 503],
      ];
      for (const [raw, status] of table) {
        gate.reset();
        const res = await request(gate.app.callback()).get(raw).set('Accept', 'text/plain');
        expect(gate.last?.url, 'supertest sent the target as written').to.equal(raw);
        expect(res.status, raw).to.equal(status);
        if (status === 200) expect(res.text).to.equal(THROUGH);
      }
    });
  });

  describe('routers see the raw path: only a path written canonically is let through by a rule', function () {
    // A prefix mount (koa-mount, `ctx.path.startsWith(...)`, wildcard routes) takes `/graphql/../healthz` as its
    // own, while its canonical form is `/healthz`, a default health path: letting it through ran the handler.
    it('blocks a path whose raw form reaches another route than its canonical form (/graphql/../healthz)', async function () {
      const unleash = await bootstrappedUnleash([maintenanceFeature(true)]);
      const gate = gateApp({ unleash, allowedUrls: ['^/public/'] });
      gate.app.middleware.splice(1, 0, async (ctx, next) => {
        if (ctx.path.startsWith('/graphql/')) ctx.body = 'the GraphQL handler ran';
        else await next();
      });
      const server = createServer(gate.app.callback());
      const port = await listen(server);
      try {
        for (const target of ['/graphql/../healthz', '/graphql/../public/x', '/graphql/%2e%2e/public/x', '/graphql/..%2Fpublic/x']) {
          const res = await rawGet({ port, path: target, headers: { accept: 'text/plain' } });
          expect(res.status, target).to.equal(503);
        }
      } finally {
        await closeServer(server);
        unleash.destroy();
      }
    });
  });
});
