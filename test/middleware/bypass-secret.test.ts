import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Koa from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { compileBypassSecret } from '../../src/middleware/bypass-secret.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

const SECRET = 'k3J9-xQ2_vT7pL0mN5bR8cW1zY4aF6hD'; // 32 characters
const LINK = `/__maintenance/bypass/${SECRET}`;

/** `name=value` of the first Set-Cookie, ready for a Cookie header. */
function cookieOf(reply: request.Response): string {
  const header = reply.headers['set-cookie'] as unknown as string[] | undefined;
  expect(header, 'a Set-Cookie header').to.be.an('array').with.lengthOf(1);
  return (header as string[])[0]!.split(';')[0]!;
}

describe('bypassSecret: the staff link and the smoke-test header', () => {
  let on: Unleash;
  let off: Unleash;
  before(async () => {
    [on, off] = await Promise.all([realUnleash([flag(true)]), realUnleash([flag(false)])]);
  });
  after(destroyUnleashClients);

  const withSecret = (extra: Partial<MaintenanceOptions> = {}) =>
    appWith({ unleash: on, bypassSecret: { secret: SECRET }, ...extra }).callback();

  describe('the link', () => {
    it('sets an HttpOnly, SameSite=Lax, Path=/ cookie for 12 hours and redirects to / with no-store', async () => {
      const before = Date.now();
      const reply = await request(withSecret()).get(LINK);
      expect(reply.status).to.equal(302);
      expect(reply.headers.location).to.equal('/');
      expect(reply.headers['cache-control']).to.equal('no-store');
      expect(reply.headers['referrer-policy']).to.equal('no-referrer');
      const [setCookie] = reply.headers['set-cookie'] as unknown as string[];
      const attributes = setCookie!.split('; ').slice(1).map((part) => part.toLowerCase());
      expect(attributes).to.include.members(['path=/', 'httponly', 'samesite=lax']);
      expect(attributes).not.to.include('secure');
      const expires = Date.parse(attributes.find((part) => part.startsWith('expires='))!.slice('expires='.length));
      expect(expires).to.be.within(before + 12 * 3600_000 - 2000, Date.now() + 12 * 3600_000 + 1000);
      expect(setCookie).not.to.contain(SECRET);
    });

    it('lets the browser through with the cookie, recording reason bypass-secret', async () => {
      const callback = withSecret();
      const cookie = cookieOf(await request(callback).get(LINK));
      const reply = await request(callback).get('/account').set('Cookie', cookie);
      expect(reply.status).to.equal(200);
      expect(reply.body.maintenance).to.deep.equal({ active: true, reason: 'bypass-secret', clientIp: '127.0.0.1', mode: 'block' });
      expect((await request(callback).post('/account').set('Cookie', `other=1; ${cookie}`)).status).to.equal(200);
      expect((await request(callback).get('/account')).status, 'without the cookie').to.equal(503);
    });

    it('marks the cookie Secure when the request is secure (behind a trusted proxy)', async () => {
      const app = appWith({ unleash: on, bypassSecret: { secret: SECRET } });
      app.proxy = true;
      const reply = await request(app.callback()).get(LINK).set('X-Forwarded-Proto', 'https');
      expect(reply.status).to.equal(302);
      expect((reply.headers['set-cookie'] as unknown as string[])[0]!.toLowerCase().split('; ')).to.include('secure');
    });

    it('works the same with app.keys set: no .sig cookie, and the keys play no part', async () => {
      const app = appWith({ unleash: on, bypassSecret: { secret: SECRET } });
      app.keys = ['an app key'];
      const callback = app.callback();
      const link = await request(callback).get(LINK);
      expect(link.headers['set-cookie']).to.have.lengthOf(1);
      expect((await request(callback).get('/').set('Cookie', cookieOf(link))).status).to.equal(200);
      const unkeyed = withSecret();
      expect((await request(unkeyed).get('/').set('Cookie', cookieOf(link))).status, 'a cookie made with app.keys works without them').to.equal(200);
    });

    it('answers a wrong secret with the normal 503 and no hint', async () => {
      const callback = withSecret();
      const normal = await request(callback).get('/').set('Accept', 'application/json');
      for (const path of [`${LINK}x`, LINK.slice(0, -1), `/__maintenance/bypass/${SECRET.toUpperCase()}`, '/__maintenance/bypass/', '/__maintenance/bypass', `/__maintenance/bypass/%E0%A4%A`, `/__maintenance/bypass/${SECRET}/`]) {
        const reply = await request(callback).get(path).set('Accept', 'application/json');
        expect(reply.status, path).to.equal(503);
        expect(reply.headers['set-cookie'], path).to.equal(undefined);
        expect(reply.headers.location, path).to.equal(undefined);
        expect(reply.text, path).to.equal(normal.text);
      }
    });

    it('only answers GET: any other method meets maintenance', async () => {
      for (const method of ['post', 'put', 'delete', 'head'] as const) {
        const reply = await request(withSecret())[method](LINK);
        expect(reply.status, method).to.equal(503);
        expect(reply.headers['set-cookie'], method).to.equal(undefined);
      }
    });

    it('reads a percent-encoded secret once, and lives at a configurable path', async () => {
      const secret = `${SECRET}/+?#`;
      const callback = appWith({ unleash: on, bypassSecret: { secret, path: '/staff/let-me-in/' } }).callback();
      expect((await request(callback).get(`/staff/let-me-in/${encodeURIComponent(secret)}`)).status).to.equal(302);
      expect((await request(callback).get(`/staff/let-me-in/${encodeURIComponent(encodeURIComponent(secret))}`)).status).to.equal(503);
      expect((await request(callback).get(LINK.replace(SECRET, encodeURIComponent(secret)))).status, 'the default path is gone').to.equal(503);
    });

    it('is not there while maintenance is off: the link goes to the app, which answers it', async () => {
      const reply = await request(appWith({ unleash: off, bypassSecret: { secret: SECRET } }).callback()).get(LINK);
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.include({ route: LINK });
      expect(reply.headers['set-cookie']).to.equal(undefined);
    });

    it('does not read cookies or the header while maintenance is off', async () => {
      const app = new Koa();
      let touched = 0;
      app.use((ctx, next) => {
        const { cookies } = ctx;
        Object.defineProperty(ctx, 'cookies', { get: () => (touched += 1, cookies) });
        return next();
      });
      app.use(maintenance({ unleash: off, bypassSecret: { secret: SECRET } }));
      app.use((ctx) => {
        ctx.body = 'open';
      });
      await request(app.callback()).get('/').set('Cookie', 'maintenance_bypass=1.x').set('X-Maintenance-Bypass', 'not it');
      expect(touched).to.equal(0);
    });

    it('works on Koa 2 as on Koa 3', async () => {
      const app = new Koa2();
      app.use(maintenance({ unleash: on, logger: { warn() {}, error() {} }, bypassSecret: { secret: SECRET } }) as never);
      app.use((ctx: { body: unknown }) => {
        ctx.body = 'open';
      });
      const link = await request(app.callback()).get(LINK);
      expect(link.status).to.equal(302);
      expect((await request(app.callback()).get('/').set('Cookie', cookieOf(link))).text).to.equal('open');
      expect((await request(app.callback()).get('/')).status).to.equal(503);
    });

    it('lets a bypass-IP client through as bypass-ip, before the link is looked at', async () => {
      const reply = await request(withSecret({ bypassIps: ['127.0.0.1'] })).get('/');
      expect(reply.body.maintenance.reason).to.equal('bypass-ip');
    });
  });

  describe('the cookie', () => {
    it('expires after maxAge', async function () {
      this.timeout(5000);
      const callback = withSecret({ bypassSecret: { secret: SECRET, maxAge: 1 } });
      const cookie = cookieOf(await request(callback).get(LINK));
      expect((await request(callback).get('/').set('Cookie', cookie)).status).to.equal(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await request(callback).get('/').set('Cookie', cookie)).status).to.equal(503);
    });

    it('is valid until exactly maxAge on the clock', async () => {
      let now = Date.UTC(2026, 10, 25, 12);
      const bypass = compileBypassSecret({ secret: SECRET, maxAge: '30m' }, () => now)!;
      const app = new Koa();
      app.use((ctx) => {
        if (bypass.grant(ctx, ctx.path)) return;
        ctx.body = bypass.admits(ctx) ? 'through' : 'blocked';
      });
      const callback = app.callback();
      const cookie = cookieOf(await request(callback).get(LINK));
      const at = async (ms: number) => {
        now = Date.UTC(2026, 10, 25, 12) + ms;
        return (await request(callback).get('/').set('Cookie', cookie)).text;
      };
      expect(await at(0)).to.equal('through');
      expect(await at(30 * 60_000 - 1)).to.equal('through');
      expect(await at(30 * 60_000)).to.equal('blocked');
      expect(await at(7 * 86_400_000)).to.equal('blocked');
    });

    it('is refused when tampered with, forged, or signed under another secret', async () => {
      const callback = withSecret();
      const cookie = cookieOf(await request(callback).get(LINK));
      const [name, value] = cookie.split('=') as [string, string];
      const [expires, signature] = value.split('.') as [string, string];
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const other = cookieOf(await request(withSecret({ bypassSecret: { secret: `${SECRET}-other` } })).get(`/__maintenance/bypass/${SECRET}-other`));
      const forged = [
        `${name}=${String(Number(expires) + 86_400_000)}.${signature}`, // a later expiry, the old signature
        `${name}=${expires}.${flip(signature, 0)}`,
        `${name}=${expires}.${flip(signature, 42)}`,
        `${name}=${expires}.${signature.slice(0, -1)}`,
        `${name}=${expires}.${signature}A`,
        `${name}=${expires}`,
        `${name}=9999999999999.${signature}`,
        `${name}=${expires}.${signature}.${signature}`,
        `${name}=`,
        `${name}=${SECRET}`,
        `${name}.sig=${value}`,
        other,
      ];
      for (const header of forged) {
        expect((await request(callback).get('/').set('Cookie', header)).status, header).to.equal(503);
      }
      expect((await request(callback).get('/').set('Cookie', cookie)).status, 'the genuine cookie').to.equal(200);
    });

    it('takes a custom cookie name and maxAge in seconds or with a unit', async () => {
      const callback = withSecret({ bypassSecret: { secret: SECRET, cookieName: 'staff', maxAge: '7d' } });
      const link = await request(callback).get(LINK);
      const cookie = cookieOf(link);
      expect(cookie.startsWith('staff=')).to.equal(true);
      const expires = Date.parse(/expires=([^;]+)/i.exec((link.headers['set-cookie'] as unknown as string[])[0]!)![1]!);
      expect(expires - Date.now()).to.be.closeTo(7 * 86_400_000, 5000);
      expect((await request(callback).get('/').set('Cookie', cookie)).status).to.equal(200);
    });

    it('lets its holder write during read-only maintenance', async () => {
      const callback = withSecret({ mode: 'read-only' });
      const cookie = cookieOf(await request(callback).get(LINK));
      expect((await request(callback).post('/orders')).status).to.equal(503);
      const reply = await request(callback).post('/orders').set('Cookie', cookie);
      expect(reply.status).to.equal(200);
      expect(reply.body.maintenance).to.include({ reason: 'bypass-secret', mode: 'read-only' });
    });
  });

  describe('the X-Maintenance-Bypass header', () => {
    it('lets scripted smoke tests through with the secret, for any method', async () => {
      for (const method of ['get', 'post', 'delete'] as const) {
        const reply = await request(withSecret())[method]('/api/orders').set('X-Maintenance-Bypass', SECRET);
        expect(reply.status, method).to.equal(200);
        expect(reply.body.maintenance.reason, method).to.equal('bypass-secret');
      }
    });

    it('is the normal 503 with a wrong, partial or empty secret, and sets no cookie', async () => {
      for (const value of [`${SECRET}x`, SECRET.slice(1), SECRET.toLowerCase(), 'x', `Bearer ${SECRET}`]) {
        const reply = await request(withSecret()).get('/').set('X-Maintenance-Bypass', value);
        expect(reply.status, value).to.equal(503);
        expect(reply.headers['set-cookie'], value).to.equal(undefined);
      }
      expect((await request(withSecret()).get('/').set('X-Maintenance-Bypass', '')).status).to.equal(503);
    });
  });

  describe('secrecy', () => {
    it('never writes the secret to the logger, whatever happens', async () => {
      const lines: string[] = [];
      const logger = { warn: (...args: unknown[]) => lines.push(args.join(' ')), error: (...args: unknown[]) => lines.push(args.join(' ')) };
      const views = mkdtempSync(join(tmpdir(), 'kum-bypass-'));
      writeFileSync(join(views, 'broken.pug'), '- throw new Error("no page today")');
      after(() => rmSync(views, { recursive: true }));
      const app = new Koa();
      app.use(maintenance({
        unleash: on,
        logger,
        bypassSecret: { secret: SECRET },
        views,
        view: 'broken',
        onDecision: () => {
          throw new Error('counter down');
        },
      }));
      const callback = app.callback();
      await request(callback).get(LINK);
      await request(callback).get(`${LINK}x`).set('Accept', 'text/html');
      await request(callback).get('/').set('X-Maintenance-Bypass', `${SECRET}x`);
      await request(callback).get('/').set('Cookie', `maintenance_bypass=${SECRET}`);
      expect(lines.length, 'something was logged').to.be.greaterThan(0);
      for (const line of lines) expect(line).not.to.contain(SECRET.slice(0, 16));
    });

    it('keeps the secret out of start-up errors too', () => {
      const attempts: unknown[] = [
        { secret: SECRET.slice(0, 31) },
        { secret: `${SECRET.slice(0, 30)} é` },
        { secert: SECRET },
        { secret: SECRET, Secret: SECRET },
      ];
      for (const bypassSecret of attempts) {
        let message = '';
        try {
          maintenance({ unleash: on, bypassSecret: bypassSecret as never });
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message, JSON.stringify(Object.keys(bypassSecret as object))).to.match(/^maintenance\(\): bypassSecret\./);
        expect(message).not.to.contain(SECRET.slice(0, 16));
      }
    });
  });

  describe('start-up checks', () => {
    const startWith = (bypassSecret: unknown) => () => maintenance({ unleash: on, bypassSecret: bypassSecret as never });

    it('names the option that is wrong', () => {
      expect(startWith('a string')).to.throw(TypeError, /^maintenance\(\): bypassSecret "a string" is not an object/);
      expect(startWith({})).to.throw(TypeError, /bypassSecret\.secret undefined is missing/);
      expect(startWith({ secret: 42 })).to.throw(TypeError, /bypassSecret\.secret \(a number, not shown\) is not a string/);
      expect(startWith({ secret: 'short' })).to.throw(TypeError, /bypassSecret\.secret \(5 characters, not shown\) is shorter than 32 characters/);
      expect(startWith({ secret: SECRET, path: 'no-slash' })).to.throw(TypeError, /bypassSecret\.path "no-slash" is not a path/);
      expect(startWith({ secret: SECRET, path: '/a?b' })).to.throw(TypeError, /bypassSecret\.path/);
      expect(startWith({ secret: SECRET, maxAge: '12x' })).to.throw(TypeError, /bypassSecret\.maxAge "12x" is not a duration/);
      expect(startWith({ secret: SECRET, maxAge: 0 })).to.throw(TypeError, /bypassSecret\.maxAge 0 is not a duration/);
      expect(startWith({ secret: SECRET, maxAge: 1.5 })).to.throw(TypeError, /bypassSecret\.maxAge 1\.5 is not a duration/);
      expect(startWith({ secret: SECRET, maxAge: '401d' })).to.throw(TypeError, /bypassSecret\.maxAge "401d" is longer than 34560000 seconds \(browsers cap cookies at 400 days\)/);
      expect(startWith({ secret: SECRET, cookieName: 'a b' })).to.throw(TypeError, /bypassSecret\.cookieName "a b" is not a cookie name/);
      expect(startWith({ secret: SECRET, cookiename: 'x' })).to.throw(TypeError, /bypassSecret\.cookiename is not an option \(known: secret, path, maxAge, cookieName\)/);
    });

    it('accepts every documented form', () => {
      for (const maxAge of [60, '90s', '30m', '12h', '7d', '400d', ' 2h ']) {
        expect(startWith({ secret: SECRET, maxAge }), String(maxAge)).not.to.throw();
      }
      expect(startWith(undefined)).not.to.throw();
    });
  });
});
