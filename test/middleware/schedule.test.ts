import { expect } from 'chai';
import fc from 'fast-check';
import pug from 'pug';
import request from 'supertest';
import { constraintsCanPass, windowOfConstraints } from '../../src/flag/window.js';
import { maintenanceBanner, type MaintenanceState } from '../../src/index.js';
import { createFlagReader, type FeatureDefinition, type UnleashLike } from '../../src/middleware/flag-reader.js';
import { createPayloadParser } from '../../src/middleware/payload-parser.js';
import { scheduleOf, type Schedule } from '../../src/middleware/schedule.js';
import { BUNDLED_VIEWS } from '../../src/views.js';
import { appWith } from '../support/app.js';
import { listen } from '../support/http.js';
import { seeded } from '../support/property.js';
import { destroyUnleashClients, FLAG, flag, realUnleash } from '../support/unleash.js';

const HOUR = 3_600_000;
const startsAt = (iso: string) => ({ contextName: 'currentTime', operator: 'DATE_AFTER', value: iso, values: [], inverted: false, caseInsensitive: false });
const endsAt = (iso: string) => ({ contextName: 'currentTime', operator: 'DATE_BEFORE', value: iso, values: [], inverted: false, caseInsensitive: false });
const parse = createPayloadParser(() => {});
/** What a schedule announces at a time to a request without hosts or properties: its upcoming window. */
const upcomingAt = (schedule: Schedule | undefined, time: string | number) => schedule?.at(typeof time === 'string' ? Date.parse(time) : time, {}).upcoming;
const jsonVariant = (payload: object) => ({ name: 'window', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: JSON.stringify(payload) } });

describe('windowOfConstraints', () => {
  it('opens at the latest DATE_AFTER and closes at the earliest DATE_BEFORE on currentTime', () => {
    const window = windowOfConstraints([startsAt('2026-12-03T20:00:00Z'), startsAt('2026-12-03T22:00:00Z'), endsAt('2026-12-04T01:00:00Z'), endsAt('2026-12-03T23:00:00Z')]);
    expect(window).to.deep.equal({ from: new Date('2026-12-03T22:00:00Z'), until: new Date('2026-12-03T23:00:00Z') });
  });

  it('ignores inverted constraints, unreadable times and anything that is not a list', () => {
    expect(windowOfConstraints([{ ...startsAt('2026-12-03T22:00:00Z'), inverted: true }])).to.deep.equal({});
    // unleash-client compares a date constraint with its clock whatever field it names, so the window does too.
    expect(windowOfConstraints([{ ...startsAt('2026-12-03T22:00:00Z'), contextName: 'userId' }])).to.deep.equal({ from: new Date('2026-12-03T22:00:00Z') });
    expect(windowOfConstraints([startsAt('tonight'), null, 7, endsAt('2026-12-03T23:00:00Z')])).to.deep.equal({ until: new Date('2026-12-03T23:00:00Z') });
    expect(windowOfConstraints({ 0: startsAt('2026-12-03T22:00:00Z') })).to.deep.equal({});
  });
});

describe('scheduleOf: the window a definition announces', () => {
  const definition = (strategies: unknown[], extra: Partial<FeatureDefinition> = {}) => ({ enabled: true, strategies, ...extra }) as FeatureDefinition;

  it('reads from, until and the payload texts, with the notice from the payload, else the option', () => {
    const schedule = scheduleOf(
      definition([{ name: 'flexibleRollout', constraints: [startsAt('2026-12-03T22:00:00Z'), endsAt('2026-12-03T23:00:00Z')], variants: [jsonVariant({ title: 'Database move', message: 'Orders pause.', notice: 1800 })] }]),
      parse,
      86_400,
    );
    const upcoming = upcomingAt(schedule, '2026-12-03T21:30:00Z');
    expect(upcomingAt(schedule, Date.parse('2026-12-03T21:30:00Z') - 1), 'before the notice').to.equal(undefined);
    expect(upcomingAt(schedule, '2026-12-03T22:00:00Z'), 'once started').to.equal(undefined);
    expect(upcoming?.from).to.deep.equal(new Date('2026-12-03T22:00:00Z'));
    expect(upcoming).to.include({ title: 'Database move', message: 'Orders pause.' });
    expect(upcoming?.until).to.deep.equal(new Date('2026-12-03T23:00:00Z'));
    expect(upcoming?.announcement.en).to.equal('Scheduled maintenance on Thursday 3 December, 22:00–23:00 UTC. Orders pause.');
    const byOption = scheduleOf(definition([{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z')] }]), parse, 3600);
    expect(upcomingAt(byOption, Date.parse('2026-12-03T21:00:00Z') - 1)).to.equal(undefined);
    expect(upcomingAt(byOption, '2026-12-03T21:00:00Z')?.until).to.equal(undefined);
  });

  it('takes the end from the payload when no constraint closes the window, and the earliest window of several', () => {
    const schedule = scheduleOf(
      definition(
        [
          { name: 'default', constraints: [startsAt('2026-12-05T22:00:00Z')] },
          { name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z')] },
        ],
        { variants: [jsonVariant({ until: '2026-12-03T23:30:00Z' })] },
      ),
      parse,
      86_400,
    );
    expect(upcomingAt(schedule, '2026-12-03T21:00:00Z')?.from).to.deep.equal(new Date('2026-12-03T22:00:00Z'));
    expect(upcomingAt(schedule, '2026-12-03T21:00:00Z')?.until).to.deep.equal(new Date('2026-12-03T23:30:00Z'));
  });

  it('has no window for a switched-off flag, a disabled strategy, no start, or an end before the start', () => {
    expect(scheduleOf({ ...definition([{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z')] }]), enabled: false }, parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([{ name: 'default', disabled: true, constraints: [startsAt('2026-12-03T22:00:00Z')] }]), parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([{ name: 'default', constraints: [endsAt('2026-12-03T22:00:00Z')] }]), parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z'), endsAt('2026-12-03T21:00:00Z')] }]), parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([null, 'x']), parse, 60)).to.equal(undefined);
  });

  it('has no window for a strategy Unleash can never switch on: a date it cannot parse, a constraint that is no object', () => {
    const start = startsAt('2026-12-03T22:00:00Z');
    for (const end of ['2026-13-45T00:00:00Z', 'tomorrow', '', '0000-99-99']) {
      expect(scheduleOf(definition([{ name: 'default', constraints: [start, endsAt(end)] }]), parse, 60), end).to.equal(undefined);
    }
    expect(scheduleOf(definition([{ name: 'default', constraints: [start, { ...endsAt('soon'), contextName: 'userId' }] }]), parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([{ name: 'default', constraints: [start, null] }]), parse, 60)).to.equal(undefined);
    expect(scheduleOf(definition([{ name: 'default', constraints: [startsAt('tonight'), start] }]), parse, 60)).to.equal(undefined);
    // Inverted, an unparsable date always passes: the window stands.
    expect(upcomingAt(scheduleOf(definition([{ name: 'default', constraints: [start, { ...endsAt('soon'), inverted: true }] }]), parse, 60), '2026-12-03T21:59:00Z')?.from).to.deep.equal(new Date('2026-12-03T22:00:00Z'));
    // Another strategy that can switch on still announces its window.
    const both = scheduleOf(definition([{ name: 'default', constraints: [startsAt('2026-12-03T20:00:00Z'), endsAt('never')] }, { name: 'default', constraints: [start] }]), parse, 60);
    expect(upcomingAt(both, '2026-12-03T21:59:00Z')?.from).to.deep.equal(new Date('2026-12-03T22:00:00Z'));
  });

  it('does not announce a payload\'s until that lies before the start', () => {
    const schedule = scheduleOf(definition([{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z')] }], { variants: [jsonVariant({ until: '2026-12-03T21:00:00Z' })] }), parse, 60);
    expect(upcomingAt(schedule, '2026-12-03T21:59:30Z')?.until).to.equal(undefined);
    expect(upcomingAt(schedule, '2026-12-03T21:59:30Z')?.announcement.en).to.equal('Scheduled maintenance on Thursday 3 December at 22:00 UTC.');
  });
});

/**
 * `constraintsCanPass` and `scheduleOf` mirror how unleash-client evaluates DATE_AFTER/DATE_BEFORE (it compares
 * its clock with `new Date(value)`). This holds the mirror against the real client: a window is announced only
 * if the client switches the flag on inside it, and a strategy called unable to pass never switches on.
 */
describe('the announced window against the real unleash-client', function () {
  after(destroyUnleashClients);
  const start = '2031-03-01T22:00:00Z';
  const time = fc.constantFrom('2031-03-01T20:00:00Z', start, '2031-03-01T23:00:00Z', '2031-03-02T00:00:00Z', '2031-03-01T22:00:00.000+01:00');
  const unparsable = fc.constantFrom('2031-13-45T00:00:00Z', 'tonight', '', 'T', '2031-02-30T25:00:00Z');
  // Inverted constraints only with dates the client cannot parse: inverted valid dates (typed in the Unleash UI,
  // never written by the admin client) are not read as window edges, so they are left out here.
  const constraint = fc.oneof(
    fc.record({ contextName: fc.constantFrom('currentTime', 'userId'), operator: fc.constantFrom('DATE_AFTER', 'DATE_BEFORE'), value: fc.oneof({ weight: 3, arbitrary: time }, { weight: 1, arbitrary: unparsable }), inverted: fc.constant(false) }),
    fc.record({ contextName: fc.constant('currentTime'), operator: fc.constantFrom('DATE_AFTER', 'DATE_BEFORE'), value: unparsable, inverted: fc.constant(true) }),
  );
  const instants = ['2031-03-01T19:00:00Z', '2031-03-01T21:59:59Z', '2031-03-01T22:00:01Z', '2031-03-01T22:30:00Z', '2031-03-01T23:30:00Z', '2031-03-02T01:00:00Z'].map((iso) => new Date(iso));

  it('announces a window only where the client switches the flag on, and none for a strategy that never passes', async function () {
    let announced = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(constraint, { minLength: 1, maxLength: 3 }), async (constraints) => {
        const unleash = await realUnleash([flag(true, { strategies: [{ name: 'default', parameters: {}, constraints }] })]);
        try {
          const definition = unleash.getFeatureToggleDefinition(FLAG) as unknown as FeatureDefinition;
          const enabledAt = (at: Date) => unleash.isEnabled(FLAG, { currentTime: at });
          if (!constraintsCanPass(constraints)) {
            for (const at of instants) expect(enabledAt(at), `${JSON.stringify(constraints)} at ${at.toISOString()}`).to.equal(false);
          }
          const schedule = scheduleOf(definition, parse, 60);
          if (!schedule) return;
          const from = windowOfConstraints(constraints).from!.getTime();
          expect(upcomingAt(schedule, from - 1), JSON.stringify(constraints)).not.to.equal(undefined);
          announced += 1;
          expect(enabledAt(new Date(from + 1)), JSON.stringify(constraints)).to.equal(true);
        } finally {
          unleash.destroy();
        }
      }),
      seeded(300),
    );
    expect(announced, 'windows were generated').to.be.greaterThan(20);
  });

  it('does not switch on, nor announce, a window whose DATE_BEFORE it cannot parse', async function () {
    const constraints = [startsAt(start), endsAt('2031-13-45T00:00:00Z')];
    const unleash = await realUnleash([flag(true, { strategies: [{ name: 'default', parameters: {}, constraints }] })]);
    for (const at of instants) expect(unleash.isEnabled(FLAG, { currentTime: at }), at.toISOString()).to.equal(false);
    expect(scheduleOf(unleash.getFeatureToggleDefinition(FLAG) as unknown as FeatureDefinition, parse, 60)).to.equal(undefined);
  });
});

describe('the flag reader around a scheduled window (injected clock)', () => {
  const from = Date.parse('2026-12-03T22:00:00Z');
  const windowFlag: FeatureDefinition = { enabled: true, strategies: [{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z'), endsAt('2026-12-03T23:00:00Z')] }] };
  /** Unleash as it answers before the window: off (its own clock decides that, not ours). */
  const offUnleash: UnleashLike = { isEnabled: () => false, getVariant: () => ({ feature_enabled: false }), getFeatureToggleDefinition: () => windowFlag };

  function stateAt(time: number): MaintenanceState | undefined {
    const ask = createFlagReader({ unleash: offUnleash, flagName: FLAG, fallback: false, override: undefined, parsePayload: parse, report: () => {}, noticeSeconds: 3600, now: () => time });
    const answer = ask({ unleashContext: () => ({}) });
    return answer.on ? undefined : answer.state;
  }

  it('announces from the notice time up to the start, and not outside it', () => {
    expect(stateAt(from - HOUR - 1)?.upcoming, 'before the notice').to.equal(undefined);
    expect(stateAt(from - HOUR)?.upcoming?.from, 'at the notice').to.deep.equal(new Date(from));
    expect(stateAt(from - 1)?.upcoming, 'just before the start').not.to.equal(undefined);
    expect(stateAt(from)?.upcoming, 'once it has started (and Unleash still says off)').to.equal(undefined);
    expect(stateAt(from - 1)).to.include({ active: false, reason: 'off' });
  });

  it('computes the window once per definition, not per request', () => {
    let reads = 0;
    const counted: UnleashLike = { ...offUnleash, getFeatureToggleDefinition: () => (reads++, windowFlag) };
    const ask = createFlagReader({ unleash: counted, flagName: FLAG, fallback: false, override: undefined, parsePayload: parse, report: () => {}, noticeSeconds: 3600, now: () => from - 1 });
    const first = ask({ unleashContext: () => ({}) });
    const second = ask({ unleashContext: () => ({}) });
    expect(reads).to.equal(2);
    expect(first).to.deep.equal(second);
    expect(first.on ? undefined : first.state.upcoming).to.equal(second.on ? undefined : second.state.upcoming, 'the same announced window: read once per definition');
  });
});

describe('maintenanceBanner and the Pug mixin', () => {
  const upcoming = upcomingAt(scheduleOf(
    { enabled: true, strategies: [{ name: 'default', constraints: [startsAt('2026-12-03T22:00:00Z'), endsAt('2026-12-03T23:00:00Z')], variants: [jsonVariant({ message: 'Orders <b>pause</b>.' })] }] } as FeatureDefinition,
    parse,
    3600,
  ), '2026-12-03T21:30:00Z')!;
  const state: MaintenanceState = { active: false, reason: 'off', clientIp: undefined, upcoming };

  it('announces the window in the shipped languages, escaped, falling back to English', () => {
    expect(maintenanceBanner(state)).to.equal('<p class="maintenance-banner" role="status" lang="en">Scheduled maintenance on Thursday 3 December, 22:00–23:00 UTC. Orders &lt;b&gt;pause&lt;/b&gt;.</p>');
    expect(maintenanceBanner(state, { lang: 'de-CH' })).to.contain('lang="de">Geplante Wartungsarbeiten am Donnerstag, 3. Dezember, 22:00–23:00 Uhr UTC.');
    expect(maintenanceBanner(state, { lang: 'fr' })).to.contain('Maintenance prévue le jeudi 3 décembre');
    expect(maintenanceBanner(state, { lang: 'es' })).to.contain('Mantenimiento programado el jueves, 3 de diciembre');
    expect(maintenanceBanner(state, { lang: 'pt' })).to.contain('lang="en">Scheduled maintenance');
    expect(maintenanceBanner(state, { lang: '__proto__' })).to.contain('lang="en"');
  });

  it('is empty when nothing is upcoming', () => {
    expect(maintenanceBanner({ active: false, reason: 'off', clientIp: undefined })).to.equal('');
    expect(maintenanceBanner({ active: true, reason: 'blocked', clientIp: undefined, mode: 'block' })).to.equal('');
    expect(maintenanceBanner(undefined)).to.equal('');
  });

  it('renders the same words from views/banner.pug', () => {
    const layout = pug.compile(`include banner.pug\nbody\n  +maintenanceBanner(maintenance, lang)`, { filename: `${BUNDLED_VIEWS}layout.pug`, basedir: BUNDLED_VIEWS });
    expect(layout({ maintenance: state, lang: 'de' })).to.equal(`<body>${maintenanceBanner(state, { lang: 'de' })}</body>`);
    expect(layout({ maintenance: state, lang: '__proto__' })).to.equal(`<body>${maintenanceBanner(state)}</body>`);
    expect(layout({ maintenance: { active: false, reason: 'off' } })).to.equal('<body></body>');
  });
});

describe('statusPath', () => {
  after(destroyUnleashClients);

  it('answers GET and HEAD with the status, never cached, whether maintenance is off or on, and passes the gate', async () => {
    const payload = { title: 'Moving house', message: 'Back soon.', until: '2030-01-01T00:00:00.000Z', from: '2029-12-31T23:00:00.000Z' };
    const on = await realUnleash([flag(true, { variants: [jsonVariant(payload)] })]);
    const app = request(appWith({ unleash: on, statusPath: '/maintenance.json', bypassIps: ['127.0.0.1'], retryAfter: 60 }).callback());
    const reply = await app.get('/maintenance.json?t=1');
    expect(reply.status).to.equal(200);
    expect(reply.headers['cache-control']).to.equal('no-store');
    expect(reply.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(reply.body).to.deep.equal({ active: true, mode: 'block', ...payload });
    expect(JSON.stringify(reply.body)).not.to.contain('127.0.0.1');
    expect((await app.head('/maintenance.json')).status).to.equal(200);
    const off = await realUnleash([flag(false)]);
    const offReply = await request(appWith({ unleash: off, statusPath: '/maintenance.json', mode: 'read-only' }).callback()).get('/maintenance.json');
    expect(offReply.body).to.deep.equal({ active: false, mode: 'read-only' });
  });

  it('gives the retryAfter option when the payload has no end, and leaves other methods and paths to the gate', async () => {
    const on = await realUnleash([flag(true)]);
    const app = request(appWith({ unleash: on, statusPath: '/maintenance.json', retryAfter: 120 }).callback());
    expect((await app.get('/maintenance.json')).body).to.deep.equal({ active: true, mode: 'block', retryAfter: 120 });
    expect((await app.post('/maintenance.json')).status).to.equal(503);
    expect((await app.get('/maintenance.jsonx')).status).to.equal(503);
  });

  it('matches the path the rules see, so an absolute-form target reaches it and a disguised one does not', async () => {
    const on = await realUnleash([flag(true)]);
    const { send, close } = await listen(appWith({ unleash: on, statusPath: '/maintenance.json' }));
    try {
      const absolute = await send('http://shop.example/maintenance.json?t=1');
      expect(absolute.status).to.equal(200);
      expect(JSON.parse(absolute.body)).to.include({ active: true });
      for (const disguised of ['/%6daintenance.json', '//maintenance.json', '/x/../maintenance.json', '/maintenance.json/']) {
        expect((await send(disguised)).status, disguised).to.equal(503);
      }
    } finally {
      await close();
    }
  });

  it('refuses a status path that is not a path in normal form, naming it', async () => {
    const unleash = await realUnleash([flag(false)]);
    for (const statusPath of ['maintenance.json', '/a/../b', '/status?x', '/%73tatus', 7]) {
      expect(() => appWith({ unleash, statusPath: statusPath as never }), String(statusPath)).to.throw(TypeError, /^maintenance\(\): statusPath .* is not a path starting with "\/" in normal form/);
    }
  });
});

describe('a gradual rollout on a coin toss', () => {
  after(destroyUnleashClients);
  const rollout = (stickiness: string) => flag(true, { strategies: [{ name: 'flexibleRollout', parameters: { rollout: '30', stickiness, groupId: FLAG }, constraints: [] }] });

  async function warningsFor(stickiness: string, options: { context?: () => object } = {}): Promise<string[]> {
    const warnings: string[] = [];
    const unleash = await realUnleash([rollout(stickiness)]);
    const app = request(appWith({ unleash, logger: { warn: (line) => warnings.push(line), error() {} }, ...options }).callback());
    for (let i = 0; i < 5; i += 1) await app.get('/');
    return warnings;
  }

  it('is warned about once when requests carry no userId or sessionId', async () => {
    const warnings = await warningsFor('default');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('gradual rollout (30%)').and.contain('remoteAddress');
    expect(await warningsFor('random')).to.have.length(1);
  });

  it('is not warned about with a sticky field, or when the context gives a sessionId', async () => {
    expect(await warningsFor('remoteAddress')).to.deep.equal([]);
    expect(await warningsFor('default', { context: () => ({ sessionId: 'abc' }) })).to.deep.equal([]);
  });
});
