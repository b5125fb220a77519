import { expect } from 'chai';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, realUnleash } from '../support/unleash.js';

describe('refresh: a waiting browser reloads by itself', () => {
  let on: Unleash;
  before(async () => {
    on = await realUnleash([flag(true)]);
  });
  after(destroyUnleashClients);

  const serve = (extra: Partial<MaintenanceOptions> = {}) => request(appWith({ unleash: on, ...extra }).callback());

  it('sends Refresh and a meta refresh on the page', async () => {
    const page = await serve({ refresh: 30 }).get('/').set('Accept', 'text/html');
    expect(page.status).to.equal(503);
    expect(page.headers.refresh).to.equal('30');
    expect(page.text).to.contain('<meta http-equiv="refresh" content="30">');
  });

  it('sends the header on the other representations of a GET or HEAD, and reads units', async () => {
    expect((await serve({ refresh: '1m' }).get('/').set('Accept', 'application/json')).headers.refresh).to.equal('60');
    expect((await serve({ refresh: '1m' }).head('/')).headers.refresh).to.equal('60');
  });

  it('leaves it out for other methods, where a reload would turn into a GET of the form target', async () => {
    const reply = await serve({ refresh: 30 }).post('/checkout').set('Accept', 'text/html');
    expect(reply.status).to.equal(503);
    expect(reply.headers).not.to.have.property('refresh');
    expect(reply.text).not.to.contain('http-equiv="refresh"');
  });

  it('is off by default', async () => {
    const page = await serve().get('/').set('Accept', 'text/html');
    expect(page.headers).not.to.have.property('refresh');
    expect(page.text).not.to.contain('http-equiv');
  });

  it('refuses anything but a duration of 1 second to a day', () => {
    const startWith = (refresh: unknown) => () => maintenance({ unleash: on, refresh: refresh as never });
    expect(startWith(0)).to.throw(TypeError, /^maintenance\(\): refresh 0 is not a duration/);
    expect(startWith(-5)).to.throw(TypeError, /refresh -5 is not a duration/);
    expect(startWith('soon')).to.throw(TypeError, /refresh "soon" is not a duration/);
    expect(startWith(86_401)).to.throw(TypeError, /refresh 86401 is longer than 86400 seconds \(a day\)/);
    expect(startWith('1d')).not.to.throw();
  });
});
