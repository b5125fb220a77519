import { copyFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import type { UnleashLike } from '../../src/index.js';
import { BUNDLED_VIEWS } from '../../src/views.js';
import { propertyTimeout, seeded } from '../support/property.js';
import { gateApp, recordingLogger, THROUGH, type GateApp, type RecordingLogger } from '../support/gate-app.js';
import { startFeaturesServer, type FeaturesServer } from '../support/features-server.js';
import { closeServer, listen, rawGet, type RawResponse } from '../support/raw-http.js';
import { FLAG, flag, pollingUnleash, realUnleash } from '../support/unleash.js';

/**
 * Faults around the middleware. Where a fault cannot be produced with a real client (a real `Unleash` does
 * not throw from isEnabled/getVariant), a thin wrapper delegates everything to a real, bootstrapped client
 * and throws only in the one method under test; everything else here is real (clients, sockets, polling).
 */

interface Started {
  gate: GateApp;
  server: Server;
  port: number;
}

const servers: Server[] = [];
const unleashes: Unleash[] = [];

async function start(options: Parameters<typeof gateApp>[0]): Promise<Started> {
  const gate = gateApp(options);
  const server = createServer(gate.app.callback());
  servers.push(server);
  return { gate, server, port: await listen(server) };
}

/** A client with the flag on or off, maybe with a variant that carries a title. */
async function flagClient(enabled: boolean, withVariants = false): Promise<Unleash> {
  const variants = withVariants ? [{ name: 'window', weight: 1000, stickiness: 'default', payload: { type: 'json', value: '{"title":"Back soon"}' } }] : undefined;
  const unleash = await realUnleash([flag(enabled, variants ? { variants } : {})]);
  unleashes.push(unleash);
  return unleash;
}

/** `count` concurrent GETs on keep-alive sockets, each with its own timeout. */
async function burst(port: number, count: number, accept = 'text/plain'): Promise<RawResponse[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  try {
    return await Promise.all(Array.from({ length: count }, () => rawGet({ port, path: '/orders', agent, headers: { accept }, timeoutMs: 5_000 })));
  } finally {
    agent.destroy();
  }
}

function errorsMatching(logger: RecordingLogger, pattern: RegExp) {
  return logger.lines.filter((line) => line.level === 'error' && pattern.test(line.message));
}

/** Runs `body` with Date.now moved `ms` ahead, so the reporter's once-a-minute window can pass without waiting. */
async function later<T>(ms: number, body: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + ms;
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

/** What Unleash itself answers, or the fallback when it throws (as it does for `strategies: [null]`). */
function unleashSays(unleash: Unleash, fallback: boolean): boolean {
  try {
    return unleash.isEnabled(FLAG, {}, fallback);
  } catch {
    return fallback;
  }
}

describe('hardening: faults', function () {
  after(async function () {
    await Promise.all(servers.map(closeServer));
    for (const unleash of unleashes) unleash.destroy();
  });

  describe('Unleash throwing', function () {
    for (const fallback of [false, true]) {
      it(`isEnabled throwing: every request gets fallback (${fallback}), one error report per burst, no 500`, async function () {
        const real = await flagClient(true);
        const throwing: UnleashLike = {
          isEnabled: () => {
            throw new Error('isEnabled exploded');
          },
          getVariant: (name, context) => real.getVariant(name, context),
          getFeatureToggleDefinition: (name) => real.getFeatureToggleDefinition(name),
        };
        const logger = recordingLogger();
        const { port } = await start({ unleash: throwing, fallback, logger });
        const first = await burst(port, 300);
        for (const res of first) expect(res.status).to.equal(fallback ? 503 : 200);
        if (!fallback) for (const res of first) expect(res.body).to.equal(THROUGH);
        expect(errorsMatching(logger, /asking Unleash/)).to.have.length(1);
        expect(errorsMatching(logger, /asking Unleash/)[0]!.details).to.deep.equal(['isEnabled exploded']);

        // A minute on, the next burst is reported once more, with the count of what was held back.
        const second = await later(61_000, () => burst(port, 100));
        for (const res of second) expect(res.status).to.equal(fallback ? 503 : 200);
        const reports = errorsMatching(logger, /asking Unleash/);
        expect(reports).to.have.length(2);
        expect(reports[1]!.message).to.match(/299 more since the last report/);
      });
    }

    it('getVariant throwing while it decides (the flag has variants): fallback, one report, no 500', async function () {
      const real = await flagClient(true, true);
      const throwing: UnleashLike = {
        isEnabled: (name, context, fallbackValue) => real.isEnabled(name, context, fallbackValue),
        getVariant: () => {
          throw new Error('getVariant exploded');
        },
        getFeatureToggleDefinition: (name) => real.getFeatureToggleDefinition(name),
      };
      for (const fallback of [false, true]) {
        const logger = recordingLogger();
        const { port } = await start({ unleash: throwing, fallback, logger });
        const answers = await burst(port, 200);
        for (const res of answers) expect(res.status).to.equal(fallback ? 503 : 200);
        expect(logger.lines.filter((line) => line.level === 'error')).to.have.length(1);
      }
    });

    it('getVariant throwing after isEnabled said on (a client without definitions): the 503 with default texts, one report', async function () {
      const real = await flagClient(true, true);
      const throwing: UnleashLike = {
        isEnabled: (name, context, fallbackValue) => real.isEnabled(name, context, fallbackValue),
        getVariant: () => {
          throw new Error('getVariant exploded');
        },
      };
      const logger = recordingLogger();
      const { port } = await start({ unleash: throwing, logger });
      const answers = await burst(port, 200);
      for (const res of answers) {
        expect(res.status).to.equal(503);
        expect(res.body).to.not.include('Back soon');
      }
      expect(errorsMatching(logger, /variant/)).to.have.length(1);
    });

    it('getFeatureToggleDefinition throwing: Unleash is asked without shortcuts, one report, no 500', async function () {
      const real = await flagClient(true);
      const throwing: UnleashLike = {
        isEnabled: (name, context, fallbackValue) => real.isEnabled(name, context, fallbackValue),
        getVariant: (name, context) => real.getVariant(name, context),
        getFeatureToggleDefinition: () => {
          throw new Error('definitions exploded');
        },
      };
      const logger = recordingLogger();
      const { port } = await start({ unleash: throwing, logger });
      const answers = await burst(port, 200);
      for (const res of answers) expect(res.status).to.equal(503);
      expect(errorsMatching(logger, /definition/)).to.have.length(1);
    });

    it('a throwing logger, onDecision, context(ctx), skip(ctx) and locals(ctx) never turn an answer into a 500', async function () {
      const explode = (): never => {
        throw new Error('user code exploded');
      };
      const { port } = await start({
        unleash: await flagClient(true, true),
        logger: { warn: explode, error: explode },
        onDecision: explode,
        context: explode,
        skip: explode,
        locals: explode,
      });
      for (const accept of ['text/html', 'application/json', 'text/plain']) {
        const answers = await burst(port, 50, accept);
        for (const res of answers) expect(res.status, accept).to.equal(503);
      }
    });

    it('a client that throws now and then: each answer is the flag or the fallback, never a 500', async function () {
      const real = await flagClient(true);
      let calls = 0;
      const flaky: UnleashLike = {
        isEnabled: (name, context, fallbackValue) => {
          calls += 1;
          if (calls % 3 === 0) throw new TypeError('flaky');
          return real.isEnabled(name, context, fallbackValue);
        },
        getVariant: (name, context) => real.getVariant(name, context),
        getFeatureToggleDefinition: (name) => real.getFeatureToggleDefinition(name),
      };
      const logger = recordingLogger();
      const { port } = await start({ unleash: flaky, logger });
      const answers = await burst(port, 300);
      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 503)).to.have.length(200);
      expect(statuses.filter((status) => status === 200)).to.have.length(100);
      expect(logger.lines.filter((line) => line.level === 'error')).to.have.length(1);
    });
  });

  describe('malformed flag definitions', function () {
    // Regression: a definition Unleash keeps despite its own validation error (strategies `{}`, `"default"`,
    // `[null]`) made the middleware's shape check throw outside its try, so every request got Koa's 500.
    const table: [definition: object, fallback: boolean][] = [
      [{ strategies: {} }, false],
      [{ strategies: 'default' }, true],
      [{ strategies: [null] }, false],
      [{ strategies: [null] }, true],
      [{ strategies: [{ name: 'default', variants: [null] }] }, false],
    ];
    for (const [shape, fallback] of table) {
      it(`${JSON.stringify(shape)} (fallback ${fallback}): Unleash's own answer (or fallback when it throws), no 500`, async function () {
        const unleash = await realUnleash([{ name: FLAG, enabled: true, ...shape } as never]);
        unleashes.push(unleash);
        const logger = recordingLogger();
        const { port } = await start({ unleash, fallback, logger });
        const answers = await burst(port, 50);
        const expected = unleashSays(unleash, fallback) ? 503 : 200;
        for (const res of answers) expect(res.status).to.equal(expected);
        expect(logger.lines.filter((line) => line.level === 'error').length).to.be.at.most(2);
      });
    }

    it('any generated definition (wrong types everywhere) gets a 200 or a 503, never a 500', async function () {
      this.timeout(propertyTimeout(60_000));
      const junk = fc.jsonValue({ maxDepth: 2 });
      const strategy = fc.oneof(
        fc.constant(null),
        junk,
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('default', 'flexibleRollout', 'remoteAddress', 'userWithId', 'nope'), junk),
            parameters: fc.oneof(fc.constant({}), fc.constant({ rollout: '50', stickiness: 'default', groupId: FLAG }), junk),
            constraints: fc.oneof(fc.constant([]), junk, fc.constant([{ contextName: 'remoteAddress', operator: 'IN', values: ['127.0.0.1'] }])),
            segments: fc.oneof(fc.constant([]), junk),
            variants: fc.oneof(fc.constant(undefined), junk, fc.constant([null])),
          },
          { requiredKeys: [] },
        ),
      );
      const definition = fc.record(
        {
          enabled: fc.oneof(fc.boolean(), junk),
          strategies: fc.oneof(fc.array(strategy, { maxLength: 3 }), junk),
          variants: fc.oneof(fc.constant(undefined), junk, fc.constant([null]), fc.constant([{ name: 'v', weight: 1000, payload: { type: 'json', value: '{}' } }])),
          dependencies: fc.oneof(fc.constant(undefined), junk, fc.constant([{ feature: 'other' }])),
          impressionData: fc.oneof(fc.constant(undefined), junk),
        },
        { requiredKeys: ['enabled', 'strategies'] },
      );
      await fc.assert(
        fc.asyncProperty(definition, fc.boolean(), async (shape, fallback) => {
          const unleash = await realUnleash([{ ...shape, name: FLAG } as never]);
          try {
            const { app } = gateApp({ unleash, fallback });
            const res = await request(app.callback()).get('/orders').set('Accept', 'text/plain');
            expect([200, 503], JSON.stringify(shape)).to.include(res.status);
            if (res.status === 200) expect(res.text).to.equal(THROUGH);
            else expect(res.headers['cache-control']).to.equal('no-store');
          } finally {
            unleash.destroy();
          }
        }),
        seeded(1000),
      );
    });
  });

  describe('the template', function () {
    let dir: string;

    beforeEach(function () {
      dir = mkdtempSync(join(tmpdir(), 'hardening-views-'));
      copyFileSync(join(BUNDLED_VIEWS, 'maintenance.pug'), join(dir, 'maintenance.pug'));
    });

    afterEach(function () {
      rmSync(dir, { recursive: true, force: true });
    });

    async function expectPlainText(gate: Started, logger: RecordingLogger): Promise<void> {
      const answers = await burst(gate.port, 50, 'text/html');
      for (const res of answers) {
        expect(res.status).to.equal(503);
        expect(res.headers['content-type']).to.match(/^text\/plain/);
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body).to.match(/^Down for maintenance\n\n/);
      }
      expect(errorsMatching(logger, /rendering the maintenance page/)).to.have.length(1);
    }

    it('missing at runtime (deleted after start-up): the page compiled at start-up keeps answering, nothing to report', async function () {
      const logger = recordingLogger();
      const started = await start({ unleash: await flagClient(true), views: dir, logger });
      unlinkSync(join(dir, 'maintenance.pug'));
      for (const res of await burst(started.port, 50, 'text/html')) {
        expect(res.status).to.equal(503);
        expect(res.headers['content-type']).to.match(/^text\/html/);
      }
      expect(logger.lines).to.deep.equal([]);
    });

    it('not compiling (a syntax error): plain-text 503, one report', async function () {
      writeFileSync(join(dir, 'unclosed.pug'), 'doctype html\nhtml\n  body(class="x"\n');
      const logger = recordingLogger();
      const started = await start({ unleash: await flagClient(true), views: dir, view: 'unclosed', logger });
      await expectPlainText(started, logger);
    });

    it('throwing at render time: plain-text 503, one report', async function () {
      writeFileSync(join(dir, 'broken.pug'), 'doctype html\nhtml\n  body\n    h1= title.missing.deeper\n');
      const logger = recordingLogger();
      const started = await start({ unleash: await flagClient(true), views: dir, view: 'broken', logger });
      await expectPlainText(started, logger);
    });

    it('throwing from the template\'s own code: plain-text 503, one report', async function () {
      writeFileSync(join(dir, 'throws.pug'), '- throw new Error("template says no")\np= message\n');
      const logger = recordingLogger();
      const started = await start({ unleash: await flagClient(true), views: dir, view: 'throws', logger });
      await expectPlainText(started, logger);
    });
  });

  describe('the Unleash client\'s life cycle', function () {
    let features: FeaturesServer;
    let unavailable: Server;
    let unavailableUrl: string;

    before(async function () {
      features = await startFeaturesServer();
      // Answers every fetch 503: Unleash backs off with a warning and never becomes ready.
      unavailable = createServer((_req, res) => res.writeHead(503).end());
      servers.push(unavailable);
      unavailableUrl = `http://127.0.0.1:${await listen(unavailable)}/api/`;
    });

    after(async function () {
      await features.close();
    });

    for (const fallback of [false, true]) {
      it(`not ready (its server answers 503): fallback ${fallback}, no crash, no 500`, async function () {
        const errors: unknown[] = [];
        const unleash = pollingUnleash(unavailableUrl, 50, errors);
        unleashes.push(unleash);
        const { port } = await start({ unleash, fallback });
        const answers = await burst(port, 200);
        expect(unleash.isSynchronized()).to.equal(false);
        for (const res of answers) expect(res.status).to.equal(fallback ? 503 : 200);
      });
    }

    it('destroyed before it was ever ready: fallback, no crash', async function () {
      const unleash = pollingUnleash(unavailableUrl, 50, []);
      const { port } = await start({ unleash, fallback: true });
      unleash.destroy();
      const answers = await burst(port, 100);
      for (const res of answers) expect(res.status).to.equal(503);
    });

    it('destroyed while the app serves traffic: no crash, no 500; the client keeps its last known state and the middleware follows it', async function () {
      features.enabled = true;
      const errors: unknown[] = [];
      const unleash = pollingUnleash(features.url, 50, errors);
      await new Promise((resolve) => unleash.once('synchronized', resolve));
      const { port } = await start({ unleash, fallback: false });
      const before = await burst(port, 100);
      for (const res of before) expect(res.status).to.equal(503);
      const during = burst(port, 300);
      setTimeout(() => unleash.destroy(), 5);
      const answers = [...(await during), ...(await burst(port, 100))];
      // Unleash answers from the data it holds after destroy(); the middleware has no way to tell, so it
      // keeps that state (here: maintenance on) rather than switching to `fallback`.
      expect(unleash.isEnabled(FLAG)).to.equal(true);
      for (const res of answers) expect(res.status).to.equal(503);
      expect(errors).to.deep.equal([]);
    });
  });

  describe('a burst while the flag flips', function () {
    const TOTAL = 10_000;
    const CONCURRENCY = 100;
    const FLIP_EVERY_MS = 50;
    const ACCEPTS = ['text/plain', 'text/html', 'application/json'];

    let features: FeaturesServer;
    let unleash: Unleash;
    let gateServer: Server;
    let agent: Agent;
    let flipper: NodeJS.Timeout | undefined;
    const unhandled: unknown[] = [];
    const warnings: Error[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    const WATCHED = ['unhandledRejection', 'uncaughtException', 'warning', 'exit', 'beforeExit', 'SIGINT', 'SIGTERM'] as const;
    let processListenersBefore: number[];

    before(async function () {
      processListenersBefore = WATCHED.map((event) => process.listenerCount(event));
      process.on('unhandledRejection', onUnhandled);
      process.on('warning', onWarning);
      features = await startFeaturesServer();
    });

    after(async function () {
      if (flipper) clearInterval(flipper);
      agent?.destroy();
      if (gateServer) await closeServer(gateServer);
      unleash?.destroy();
      await features.close();
      process.off('unhandledRejection', onUnhandled);
      process.off('warning', onWarning);
      expect(WATCHED.map((event) => process.listenerCount(event)), 'process listeners after the run').to.deep.equal(processListenersBefore);
    });

    function wellFormed(res: RawResponse, accept: string): string | undefined {
      const length = Number(res.headers['content-length']);
      if (Buffer.byteLength(res.body) !== length) return `content-length ${length} but ${Buffer.byteLength(res.body)} bytes`;
      if (res.status === 200) return res.body === THROUGH ? undefined : `200 with ${res.body.slice(0, 80)}`;
      if (res.status !== 503) return `status ${res.status}`;
      if (res.headers['cache-control'] !== 'no-store') return '503 without no-store';
      if (!/\bAccept\b/.test(String(res.headers.vary))) return '503 without Vary: Accept';
      const type = String(res.headers['content-type']);
      if (accept === 'text/plain') return type.startsWith('text/plain') && res.body.startsWith('Down for maintenance\n') ? undefined : `bad text 503: ${type}`;
      if (accept === 'text/html') return type.startsWith('text/html') && res.body.includes('<h1>Down for maintenance</h1>') && res.body.trimEnd().endsWith('</html>') ? undefined : `bad html 503: ${type}`;
      try {
        const body = JSON.parse(res.body) as { status?: number };
        return type.startsWith('application/problem+json') && body.status === 503 ? undefined : `bad json 503: ${type}`;
      } catch {
        return 'unparsable json 503';
      }
    }

    it(`answers ${TOTAL} requests at concurrency ${CONCURRENCY} with a well-formed 200 or 503 while the flag flips every ${FLIP_EVERY_MS} ms (real polling client)`, async function () {
      this.timeout(60_000);
      const clientErrors: unknown[] = [];
      unleash = pollingUnleash(features.url, 20, clientErrors);
      await new Promise((resolve) => unleash.once('synchronized', resolve));
      const logger = recordingLogger();
      const gate = gateApp({ unleash, logger });
      gateServer = createServer(gate.app.callback());
      const port = await listen(gateServer);
      agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const unleashListenersBefore = unleash.eventNames().map((event) => [event, unleash.listenerCount(event)]);

      flipper = setInterval(() => {
        features.enabled = !features.enabled;
      }, FLIP_EVERY_MS);
      const fetchesBefore = features.fetches;
      const started = Date.now();
      const problems: string[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      let flipsSeen = 0;
      let lastStatus = 0;
      async function worker(): Promise<void> {
        while (next < TOTAL) {
          const index = next++;
          const accept = ACCEPTS[index % ACCEPTS.length]!;
          try {
            const res = await rawGet({ port, path: `/orders/${index}`, agent, headers: { accept }, timeoutMs: 10_000 });
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status !== lastStatus) flipsSeen += 1;
            lastStatus = res.status;
            const problem = wellFormed(res, accept);
            if (problem) problems.push(`#${index}: ${problem}`);
          } catch (error) {
            problems.push(`#${index}: ${(error as Error).message}`);
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      clearInterval(flipper);
      flipper = undefined;
      const elapsed = Date.now() - started;

      expect(problems.slice(0, 10), `${problems.length} problems`).to.deep.equal([]);
      expect([...statuses.keys()].sort()).to.deep.equal([200, 503]);
      expect((statuses.get(200) ?? 0) + (statuses.get(503) ?? 0)).to.equal(TOTAL);
      expect(flipsSeen, 'answers followed the flips').to.be.greaterThan(4);
      expect(features.fetches - fetchesBefore, 'the client kept polling').to.be.greaterThan(5);
      expect(clientErrors).to.deep.equal([]);
      expect(logger.lines).to.deep.equal([]);

      // Let any stray promise settle, then: nothing unhandled, nothing leaked.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).to.deep.equal([]);
      expect(warnings.map((warning) => warning.name)).to.not.include('MaxListenersExceededWarning');
      expect(unleash.eventNames().map((event) => [event, unleash.listenerCount(event)]), 'Unleash client listeners').to.deep.equal(unleashListenersBefore);
      console.log(`      ${TOTAL} requests in ${elapsed} ms: ${statuses.get(200)} x 200, ${statuses.get(503)} x 503, ${flipsSeen} status changes, ${features.fetches - fetchesBefore} polls`);
    });
  });
});
