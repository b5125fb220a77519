import { expect } from 'chai';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { appWith } from '../support/app.js';
import { listen } from '../support/http.js';
import { destroyUnleashClients, flag, flagForAddresses, flagWithPayload, realUnleash, unreadyUnleash } from '../support/unleash.js';

describe('asking Unleash', () => {
  afterEach(destroyUnleashClients);

  const statusWith = async (unleash: Unleash, options = {}) => (await request(appWith({ unleash, ...options }).callback()).get('/')).status;

  it('passes requests through while the flag is off, and blocks them while it is on', async () => {
    expect(await statusWith(await realUnleash([flag(false)]))).to.equal(200);
    expect(await statusWith(await realUnleash([flag(true)]))).to.equal(503);
  });

  it('reads the flag named by flagName', async () => {
    const unleash = await realUnleash([{ ...flag(true), name: 'site-down' }]);
    expect(await statusWith(unleash)).to.equal(200);
    expect(await statusWith(unleash, { flagName: 'site-down' })).to.equal(503);
  });

  it('answers with fallback while the client is not ready and while the flag is absent', async () => {
    const unready = unreadyUnleash();
    expect(await statusWith(unready)).to.equal(200);
    expect(await statusWith(unready, { fallback: true })).to.equal(503);
    const absent = await realUnleash([{ ...flag(true), name: 'another-flag' }]);
    expect(await statusWith(absent)).to.equal(200);
    expect(await statusWith(absent, { fallback: true })).to.equal(503);
  });

  it('lets override force maintenance on or off without asking Unleash', async () => {
    const off = await realUnleash([flag(false)]);
    const on = await realUnleash([flag(true)]);
    let asked = 0;
    off.on('count', () => (asked += 1));
    expect(await statusWith(off, { override: true })).to.equal(503);
    expect(await statusWith(on, { override: false })).to.equal(200);
    expect(asked).to.equal(0);
  });

  it('gives Unleash the resolved client IP, so the remoteAddress strategy targets one address', async () => {
    const unleash = await realUnleash([flagForAddresses(['127.0.0.21'])]);
    const server = await listen(appWith({ unleash }));
    try {
      expect((await server.send('/', { from: '127.0.0.21' })).status).to.equal(503);
      expect((await server.send('/', { from: '127.0.0.22' })).status).to.equal(200);
    } finally {
      await server.close();
    }
  });

  it('merges the context option over the defaults, keeping path, routePath, method and hostname in properties', async () => {
    const seen: unknown[] = [];
    const unleash = await realUnleash([flag(true, { strategies: [{ name: 'userWithId', parameters: { userIds: 'alice' } }] })]);
    const original = unleash.isEnabled.bind(unleash);
    unleash.isEnabled = ((name: string, context: unknown, fallback?: boolean) => {
      seen.push(context);
      return original(name, context as never, fallback);
    }) as typeof unleash.isEnabled;
    const app = request(appWith({ unleash, context: (ctx) => ({ userId: ctx.get('x-user'), properties: { tenant: 'acme' } }) }).callback());
    expect((await app.get('/shop?x=1').set('x-user', 'alice')).status).to.equal(503);
    expect((await app.get('/shop').set('x-user', 'bob')).status).to.equal(200);
    expect(seen[0]).to.deep.include({ userId: 'alice', remoteAddress: '127.0.0.1' });
    expect((seen[0] as { properties: unknown }).properties).to.deep.equal({ path: '/shop', routePath: '/shop/', method: 'GET', hostname: '127.0.0.1', tenant: 'acme' });
  });

  it('uses the default context when the context option throws, and reports it', async () => {
    const errors: string[] = [];
    const unleash = await realUnleash([flagForAddresses(['127.0.0.1'])]);
    const app = appWith({ unleash, context: () => { throw new Error('no session'); }, logger: { warn() {}, error: (line) => errors.push(line) } });
    expect((await request(app.callback()).get('/')).status).to.equal(503);
    expect(errors[0]).to.contain('the context(ctx) option threw');
  });

  it('keeps Unleash usage metrics true: one yes or no per request', async () => {
    const counts = { yes: 0, no: 0 };
    const unleash = await realUnleash([flag(true)], { metrics: true });
    unleash.on('count', (_name: string, enabled: boolean) => (enabled ? (counts.yes += 1) : (counts.no += 1)));
    const app = request(appWith({ unleash }).callback());
    for (let i = 0; i < 3; i += 1) await app.get('/');
    expect(counts).to.deep.equal({ yes: 3, no: 0 });
  });

  it('counts one decision per request with a payload too (getVariant decides, isEnabled is not asked again)', async () => {
    const counts = { yes: 0, no: 0 };
    const unleash = await realUnleash([flagWithPayload({ message: 'hi' })], { metrics: true });
    unleash.on('count', (_name: string, enabled: boolean) => (enabled ? (counts.yes += 1) : (counts.no += 1)));
    const app = request(appWith({ unleash }).callback());
    for (let i = 0; i < 3; i += 1) expect((await app.get('/')).status).to.equal(503);
    expect(counts).to.deep.equal({ yes: 3, no: 0 });
  });

  it('builds no request context for a plain on/off flag, and does for one with constraints', async () => {
    let contexts = 0;
    const context = () => {
      contexts += 1;
      return {};
    };
    await statusWith(await realUnleash([flag(false)]), { context });
    await statusWith(await realUnleash([flag(true)]), { context });
    expect(contexts).to.equal(0);
    const constrained = flag(true, { strategies: [{ name: 'default', constraints: [{ contextName: 'userId', operator: 'IN', values: ['x'] }] }] });
    await statusWith(await realUnleash([constrained]), { context });
    expect(contexts).to.equal(1);
  });
});

describe('the variant payload', () => {
  afterEach(destroyUnleashClients);

  const replyWith = async (unleash: Unleash, accept = 'text/html') => request(appWith({ unleash, retryAfter: 60 }).callback()).get('/').set('Accept', accept);

  it('overrides the title, message, Retry-After and end time in the page, the JSON and the headers', async () => {
    const unleash = await realUnleash([flagWithPayload({ title: 'Moving house', message: 'New database tonight.', retryAfter: 900, until: '2031-01-01T02:00:00Z' })]);
    const page = await replyWith(unleash);
    expect(page.headers['retry-after']).to.equal('900');
    expect(page.text).to.contain('<title>Moving house</title>').and.contain('<h1>Moving house</h1>').and.contain('New database tonight.');
    expect(page.text).to.contain('<time datetime="2031-01-01T02:00:00.000Z">');
    const json = await replyWith(unleash, 'application/json');
    expect(json.body).to.include({ title: 'Moving house', detail: 'New database tonight.', retryAfter: 900, until: '2031-01-01T02:00:00.000Z' });
  });

  it('derives Retry-After from until when the payload gives no retryAfter', async () => {
    const unleash = await realUnleash([flagWithPayload({ until: '2031-01-01T02:00:00Z' })]);
    expect((await replyWith(unleash)).headers['retry-after']).to.equal('Wed, 01 Jan 2031 02:00:00 GMT');
  });

  it('escapes HTML in payload texts', async () => {
    const unleash = await realUnleash([flagWithPayload({ title: '<img src=x onerror=alert(1)>', message: '</p><script>alert("x")</script>' })]);
    const page = (await replyWith(unleash)).text;
    expect(page).not.to.contain('<script>').and.not.to.contain('<img');
    expect(page).to.contain('&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('reads a string payload as the message', async () => {
    const unleash = await realUnleash([flagWithPayload('Back at noon.', 'string')]);
    expect((await replyWith(unleash, 'text/plain')).text).to.contain('Back at noon.');
  });

  const invalid: [string, unknown, string][] = [
    ['not JSON', '{oops', 'json'],
    ['a JSON array', '[1,2]', 'json'],
    ['wrong field types', { title: 42, message: ['x'], retryAfter: -1, until: 'soon' }, 'json'],
    ['a fractional retryAfter', { retryAfter: 1.5 }, 'json'],
    ['an unknown payload type', '1,2,3', 'csv'],
  ];
  for (const [what, payload, type] of invalid) {
    it(`ignores ${what} with one warning, answering the default 503`, async () => {
      const warnings: string[] = [];
      const unleash = await realUnleash([flagWithPayload(payload, type)]);
      const app = request(appWith({ unleash, retryAfter: 60, logger: { warn: (line) => warnings.push(line), error() {} } }).callback());
      for (let i = 0; i < 3; i += 1) {
        const reply = await app.get('/').set('Accept', 'application/json');
        expect(reply.status).to.equal(503);
        expect(reply.body).to.include({ title: 'Down for maintenance', retryAfter: 60 });
      }
      expect(warnings, warnings.join('\n')).to.have.length(1);
    });
  }

  it('keeps the valid fields of a payload with some invalid ones', async () => {
    const unleash = await realUnleash([flagWithPayload({ message: 'Valid words', retryAfter: 'soon' })]);
    const reply = await replyWith(unleash, 'application/json');
    expect(reply.body).to.include({ detail: 'Valid words', retryAfter: 60 });
  });
});
