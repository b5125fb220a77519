import { Agent, createServer, type Server } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { isNormalPath } from '../../src/index.js';
import { compileUrlMatcher, pathForRules } from '../../src/request/path.js';
import { propertyTimeout, seeded } from '../support/property.js';
import { gateApp, THROUGH, type GateApp } from '../support/gate-app.js';
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
} from '../support/paths.js';
import { closeServer, listen, rawGet } from '../support/raw-http.js';
import { flag, realUnleash } from '../support/unleash.js';

const RUNS = seeded(1000);

/** The allowed URLs of the app under test: a prefix, an exact path, and a path with optional subpaths. */
const PATTERNS = [/^\/public\//, '^/health$', /^\/api\/status(\/|$)/];
const PATTERN_REGEXPS = PATTERNS.map((pattern) => new RegExp(pattern));
const isAllowedUrl = compileUrlMatcher(PATTERNS);

/** The middleware's own pipeline for a raw path. */
function gateAllows(rawPath: string): boolean {
  const path = pathForRules(rawPath);
  return path !== undefined && isAllowedUrl(path);
}

/** Letters, digits, `-._~`, and the separators `/` and `\`: what a normal path never percent-encodes. */
const PLAIN_OR_SEPARATOR = /^[A-Za-z0-9\-._~/\\]$/;

/**
 * The oracle for "in normal form", written apart from the implementation: rooted; every escape decodes and
 * none stands for a plain character or a separator; no `\`; no empty (but a trailing), `.` or `..` segment.
 */
function inNormalForm(raw: string): boolean {
  if (!raw.startsWith('/') || raw.includes('\\')) return false;
  try {
    decodeURIComponent(raw);
  } catch {
    return false;
  }
  for (const [, hex] of raw.matchAll(/%([0-9a-fA-F]{2})/g)) {
    if (PLAIN_OR_SEPARATOR.test(String.fromCharCode(parseInt(hex!, 16)))) return false;
  }
  const segments = raw.slice(1).split('/');
  return segments.every((part, index) => (part !== '' || index === segments.length - 1) && part !== '.' && part !== '..');
}

/** What the gate must answer for a raw path: a rule sees the path as written, and only in normal form. */
function expectedAllowed(raw: string): boolean {
  return inNormalForm(raw) && PATTERN_REGEXPS.some((pattern) => pattern.test(raw));
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

describe('hardening: the path a rule sees (property-based)', function () {
  describe('isNormalPath and the allowed-URL matcher', function () {
    it('never throws on arbitrary input (binary strings, escape soup, very long paths)', function () {
      const escapeSoup = fc
        .array(fc.oneof(fc.constantFrom('/', '\\', '.', '..', '%2F', '%5C', '%2e', '%00', '%25', '%', 'a', 'é', ...MALFORMED_ESCAPES), fc.string({ maxLength: 3 })), { maxLength: 60 })
        .map((parts) => parts.join(''));
      const long = fc.tuple(fc.constantFrom('/a', '/..', '/%2e%2e', '//', '\\', '/%C0%AF', '/public'), fc.integer({ min: 500, max: 3000 })).map(([unit, times]) => unit.repeat(times));
      const input = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), escapeSoup, long);
      fc.assert(
        fc.property(input, (raw) => {
          expect(isNormalPath(raw)).to.equal(inNormalForm(raw));
          gateAllows(raw);
        }),
        RUNS,
      );
    });

    it('lets a spelling through exactly when it is in normal form and the raw path matches (%2F %5C \\ for separators, any character percent-encoded)', function () {
      fc.assert(
        fc.property(shapeWithSpelling(false), ({ raw }) => {
          expect(gateAllows(raw), raw).to.equal(expectedAllowed(raw));
        }),
        RUNS,
      );
    });

    it('lets through only a path whose decoded form has the same segments: a decoding router and a raw one agree on it', function () {
      fc.assert(
        fc.property(shapeWithSpelling(false), ({ shape, raw }) => {
          if (!isNormalPath(raw)) return;
          expect(referenceCanonical(shape), raw).to.equal(decodedPath(shape));
          expect(raw.split('/').map((part) => decodeURIComponent(part))).to.deep.equal(decodedPath(shape).split('/'));
        }),
        RUNS,
      );
    });

    it('never lets ./, //, name/.. noise or an encoded letter of a known name through', function () {
      const noisy = pathShape()
        .filter((shape) => shape.segments.includes('public'))
        .chain((shape) => withNoise(shape).filter((noisy) => decodedPath(noisy) !== decodedPath(shape)))
        .chain((shape) => spelling(decodedPath(shape), false))
        .map((tokens) => tokens.join(''));
      fc.assert(
        fc.property(noisy, (raw) => {
          expect(gateAllows(raw), raw).to.equal(false);
        }),
        RUNS,
      );
      const encodedLetter = fc.tuple(fc.nat({ max: 5 }), fc.boolean()).map(([at, upper]) => {
        const hex = 'public'.charCodeAt(at).toString(16);
        return `/${'public'.slice(0, at)}%${upper ? hex.toUpperCase() : hex}${'public'.slice(at + 1)}/x`;
      });
      fc.assert(
        fc.property(encodedLetter, (raw) => {
          expect(gateAllows(raw), raw).to.equal(false);
        }),
        RUNS,
      );
    });

    it('never allows a path that leaves the allowed prefix through .. (however the dots and slashes are spelled)', function () {
      const publicOnly = compileUrlMatcher([/^\/public\//]);
      fc.assert(
        fc.property(
          escapingPublic.chain((shape) => spelling(decodedPath(shape), false).map((tokens) => tokens.join(''))),
          (raw) => {
            const path = pathForRules(raw);
            expect(path !== undefined && publicOnly(path), raw).to.equal(false);
          },
        ),
        RUNS,
      );
    });

    it('treats any path with a malformed escape or non-UTF-8 bytes (overlong, surrogate, truncated) as out of every rule', function () {
      fc.assert(
        fc.property(
          shapeWithSpelling(false).chain(({ tokens }) => withMalformed(tokens)),
          (raw) => {
            expect(isNormalPath(raw), raw).to.equal(false);
            expect(gateAllows(raw)).to.equal(false);
          },
        ),
        RUNS,
      );
    });

    it('handles very long paths (hundreds to a thousand segments, up to ~20 kB) by the same rules', function () {
      this.timeout(propertyTimeout(30_000));
      fc.assert(
        fc.property(pathShape(1000, 200), fc.integer(), (shape, seed) => {
          const raw = seededSpelling(decodedPath(shape), seed, false);
          expect(gateAllows(raw)).to.equal(expectedAllowed(raw));
        }),
        RUNS,
      );
    });

    it('answers hand-picked tricks as documented', function () {
      const table: [string, boolean][] = [
        ['/public/x', true],
        ['/public/caf%C3%A9', true],
        ['/public/%252e%252e/admin', true], // `%25` is an encoded `%`: routers see the text `%252e%252e` under /public
        ['/public/../admin', false],
        ['/public/%2e%2e/admin', false],
        ['/public/%2E%2e%2fadmin', false],
        ['/public/..%2Fadmin', false],
        ['/public/..%5Cadmin', false],
        ['/public\\..\\admin', false],
        ['//public//x', false],
        ['/public/./x/', false],
        ['/%70ublic/x', false], // a router sees `%70ublic`, not `public`
        ['/public%2Fx', false],
        ['/public/%C0%AF', false], // overlong "/"
        ['/public/%ED%A0%80', false], // UTF-16 surrogate
        ['/public/%', false],
        ['/health', true],
        ['/%68ealth', false],
        ['/\uFF0Fpublic\uFF0Fx', false], // fullwidth solidus is no separator: not under /public/
        ['*', false],
      ];
      for (const [raw, allowed] of table) expect(gateAllows(raw), raw).to.equal(allowed);
    });
  });

  describe('end to end through the middleware', function () {
    let unleash: Unleash;
    let gate: GateApp;
    let server: Server;
    let port: number;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    before(async function () {
      unleash = await realUnleash([flag(true)]);
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

    it('lets a raw request target through exactly when it is in normal form and matches (1,000 generated targets, malformed ones included)', async function () {
      this.timeout(propertyTimeout(30_000));
      const target = fc.oneof(
        { weight: 4, arbitrary: shapeWithSpelling(true).map(({ raw }) => ({ raw, allowed: expectedAllowed(raw) })) },
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
      this.timeout(propertyTimeout(30_000));
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
        ['/%70ublic/x', 503],
        ['/public%2Fx', 503],
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

  describe('routers see the raw path: only a path in normal form is let through by a rule', function () {
    // A prefix mount (koa-mount, `ctx.path.startsWith(...)`, wildcard routes) takes `/graphql/../healthz` as its
    // own, while its canonical form is `/healthz`, a default health path: letting it through ran the handler.
    it('blocks a path whose raw form reaches another route than its canonical form (/graphql/../healthz)', async function () {
      const unleash = await realUnleash([flag(true)]);
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
