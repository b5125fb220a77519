import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

describe('maintenance() options', () => {
  let unleash: Unleash;
  before(async () => {
    unleash = await realUnleash([flag(false)]);
  });
  after(destroyUnleashClients);

  const build = (options: Partial<MaintenanceOptions>) => () => maintenance({ unleash, ...options } as MaintenanceOptions);

  it('accepts the minimal call and returns a named middleware', () => {
    const middleware = maintenance({ unleash });
    expect(middleware).to.be.a('function');
    expect(middleware.name).to.equal('maintenanceMiddleware');
  });

  const rejected: [string, Partial<MaintenanceOptions> | undefined, string][] = [
    ['no options at all', undefined, 'maintenance(): options undefined is not an object'],
    ['a missing unleash', { unleash: undefined }, 'maintenance(): unleash undefined is not an Unleash client'],
    ['an unleash without getVariant', { unleash: { isEnabled: () => true } as never }, 'maintenance(): unleash an object is not an Unleash client'],
    ['a prefix longer than 32 bits', { bypassIps: ['10.0.0.1', '10.0.0.0/33'] }, 'maintenance(): bypassIps[1] "10.0.0.0/33" is not an IP address, CIDR range'],
    ['an IPv6 prefix over 128', { bypassIps: ['::1/129'] }, 'bypassIps[0] "::1/129" is not an IP address'],
    ['a host name in bypassIps', { bypassIps: ['localhost'] }, 'bypassIps[0] "localhost" is not an IP address'],
    ['a number in bypassIps', { bypassIps: [127 as never] }, 'bypassIps[0] 127 is not an IP address'],
    ['bypassIps as a string', { bypassIps: '10.0.0.1' as never }, 'maintenance(): bypassIps "10.0.0.1" is not an array'],
    ['a broken regex source', { allowedUrls: ['^/ok$', '^/(unclosed'] }, 'maintenance(): allowedUrls[1] "^/(unclosed" is not a valid regular expression'],
    ['a regex with the g flag', { allowedUrls: [/^\/a/g] }, 'maintenance(): allowedUrls[0] /^\\/a/g has the g or y flag'],
    ['a regex with the y flag', { allowedUrls: [/^\/a/y] }, 'allowedUrls[0] /^\\/a/y has the g or y flag'],
    ['a number in allowedUrls', { allowedUrls: [1 as never] }, 'allowedUrls[0] 1 is not a RegExp'],
    ['a bad trustProxy address', { trustProxy: 'loopback, 10.0.0.300' }, 'maintenance(): trustProxy[1] "10.0.0.300" is not an IP address'],
    ['a bad trustProxy array entry', { trustProxy: ['10.0.0.1', 'proxy.local'] }, 'trustProxy[1] "proxy.local" is not an IP address'],
    ['a negative hop count', { trustProxy: -1 }, 'maintenance(): trustProxy -1 is not a hop count'],
    ['a fractional hop count', { trustProxy: 1.5 }, 'maintenance(): trustProxy 1.5 is not a hop count'],
    ['an object as trustProxy', { trustProxy: {} as never }, 'maintenance(): trustProxy an object is not false, true, a hop count'],
    ['a negative retryAfter', { retryAfter: -5 }, 'maintenance(): retryAfter -5 is not a whole number of seconds'],
    ['a fractional retryAfter', { retryAfter: 1.5 }, 'maintenance(): retryAfter 1.5 is not a whole number of seconds'],
    ['an invalid Date', { retryAfter: new Date('nope') }, 'maintenance(): retryAfter'],
    ['a retryAfter string', { retryAfter: '60' as never }, 'maintenance(): retryAfter "60" is not a whole number'],
    ['a missing template folder', { views: '/no/such/folder' }, 'maintenance(): views "/no/such/folder" is not a folder'],
    ['an empty flag name', { flagName: '' }, 'maintenance(): flagName "" is not a non-empty string'],
    ['a non-function skip', { skip: true as never }, 'maintenance(): skip true is not a function'],
    ['a non-function context', { context: {} as never }, 'maintenance(): context an object is not a function'],
    ['a string fallback', { fallback: 'true' as never }, 'maintenance(): fallback "true" is not true or false'],
    ['a string override', { override: 'on' as never }, 'maintenance(): override "on" is not true or false'],
    ['a logger without error()', { logger: { warn() {} } as never }, 'maintenance(): logger an object has no warn() and error()'],
    ['locals as an array', { locals: [] as never }, 'maintenance(): locals an array is not an object or a function'],
    ['a misspelt option', { bypassIp: ['127.0.0.1'] } as never, 'maintenance(): bypassIp an array is not an option'],
  ];
  for (const [what, options, message] of rejected) {
    it(`throws a TypeError naming the option for ${what}`, () => {
      const call = options === undefined ? () => maintenance(undefined as never) : build(options);
      expect(call).to.throw(TypeError).with.property('message').that.contains(message);
    });
  }

  it('names the missing template when the folder exists but the view does not', () => {
    const views = mkdtempSync(join(tmpdir(), 'kum-views-'));
    expect(build({ views, view: 'closed' })).to.throw(TypeError, /view "closed" has no template: .*closed\.pug does not exist/);
    writeFileSync(join(views, 'closed.pug'), 'p closed');
    expect(build({ views, view: 'closed' })).not.to.throw();
  });

  it('accepts every documented form of trustProxy', () => {
    for (const trustProxy of [false, true, 0, 2, 'loopback', 'loopback, 10.0.0.0/8', ['uniquelocal', 'fe80::/10'], () => true]) {
      expect(build({ trustProxy: trustProxy as never }), String(trustProxy)).not.to.throw();
    }
  });

  it('copies its inputs and never changes them', () => {
    const bypassIps = Object.freeze(['127.0.0.1', 'loopback']);
    const pattern = /^\/status$/i;
    const allowedUrls = Object.freeze([pattern, '^/healthz$']);
    const locals = Object.freeze({ product: 'Shop' });
    expect(build({ bypassIps, allowedUrls, locals, retryAfter: new Date(0) })).not.to.throw();
    expect(bypassIps).to.deep.equal(['127.0.0.1', 'loopback']);
    expect(allowedUrls[0]).to.equal(pattern);
    expect(pattern.lastIndex).to.equal(0);
  });
});
