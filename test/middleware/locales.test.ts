import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { Unleash } from 'unleash-client';
import { maintenance, type MaintenanceOptions } from '../../src/index.js';
import { appWith } from '../support/app.js';
import { destroyUnleashClients, flag, flagWithPayload, realUnleash } from '../support/unleash.js';

const TITLES = { en: 'Down for maintenance', de: 'Wartungsarbeiten', fr: 'Maintenance en cours', es: 'En mantenimiento' } as const;
const UNTIL = '2026-11-25T21:00:00.000Z';

describe('languages: the default texts follow Accept-Language', () => {
  let on: Unleash;
  let withUntil: Unleash;
  let withTexts: Unleash;
  before(async () => {
    [on, withUntil, withTexts] = await Promise.all([
      realUnleash([flag(true)]),
      realUnleash([flagWithPayload({ until: UNTIL })]),
      realUnleash([flagWithPayload({ message: 'Back at nine.' })]),
    ]);
  });
  after(destroyUnleashClients);

  const page = (acceptLanguage: string | undefined, extra: Partial<MaintenanceOptions> = {}, unleash = on) => {
    const req = request(appWith({ unleash, ...extra }).callback()).get('/').set('Accept', 'text/html');
    return acceptLanguage === undefined ? req : req.set('Accept-Language', acceptLanguage);
  };

  it('picks among English, German, French and Spanish, with a lang attribute and Content-Language to match', async () => {
    const table: [string | undefined, keyof typeof TITLES][] = [
      [undefined, 'en'],
      ['en-US,en;q=0.9', 'en'],
      ['de-DE,de;q=0.9,en;q=0.8', 'de'],
      ['de-CH', 'de'],
      ['fr-CH, fr;q=0.9, en;q=0.8', 'fr'],
      ['es-419', 'es'],
      ['de;q=0.5, fr', 'fr'],
      ['pt-BR, it;q=0.8', 'en'], // none shipped: English
      ['*', 'en'],
      ['en;q=0, de;q=0', 'en'],
      ['!!', 'en'],
    ];
    for (const [header, lang] of table) {
      const reply = await page(header);
      expect(reply.status, String(header)).to.equal(503);
      expect(reply.text, String(header)).to.contain(`<html lang="${lang}">`).and.contain(`<h1>${TITLES[lang]}</h1>`);
      expect(reply.headers['content-language'], String(header)).to.equal(lang);
    }
  });

  it('writes natural texts and the expected end in the language, in UTC', async () => {
    const german = (await page('de', {}, withUntil)).text;
    expect(german).to.contain('Wir nehmen gerade einige Verbesserungen vor und sind in Kürze wieder für Sie da.');
    expect(german).to.contain('Voraussichtlich wieder erreichbar ab <time datetime="2026-11-25T21:00:00.000Z">Mittwoch, 25. November 2026 um 21:00 UTC</time>.');
    const french = (await page('fr', {}, withUntil)).text;
    expect(french).to.contain('Retour prévu le <time datetime="2026-11-25T21:00:00.000Z">mercredi 25 novembre 2026 à 21:00 UTC</time>.');
    const spanish = (await page('es', {}, withUntil)).text;
    expect(spanish).to.contain('Estamos haciendo algunas mejoras y volveremos enseguida.');
    expect(spanish).to.contain('miércoles, 25 de noviembre de 2026, 21:00 UTC');
    const english = (await page(undefined, {}, withUntil)).text;
    expect(english).to.contain('Expected back by <time datetime="2026-11-25T21:00:00.000Z">Wednesday, November 25, 2026 at 9:00 PM UTC</time>.');
  });

  it('localises problem+json and plain text as well', async () => {
    const app = appWith({ unleash: withUntil }).callback();
    const problem = await request(app).get('/api').set('Accept', 'application/json').set('Accept-Language', 'fr');
    expect(problem.body).to.include({ title: TITLES.fr, detail: 'Nous effectuons quelques améliorations et serons de retour très bientôt. Merci de votre patience.' });
    expect(problem.headers['content-language']).to.equal('fr');
    const text = await request(app).get('/').set('Accept', 'text/plain').set('Accept-Language', 'de');
    expect(text.text).to.equal(`${TITLES.de}\n\nWir nehmen gerade einige Verbesserungen vor und sind in Kürze wieder für Sie da. Vielen Dank für Ihre Geduld.\n\nVoraussichtlich wieder erreichbar ab Mittwoch, 25. November 2026 um 21:00 UTC.\n`);
  });

  it('lets the payload text win, in every language', async () => {
    for (const lang of ['en', 'de', 'fr'] as const) {
      const reply = await page(lang, {}, withTexts);
      expect(reply.text, lang).to.contain('<p>Back at nine.</p>').and.contain(`<h1>${TITLES[lang]}</h1>`).and.contain(`lang="${lang}"`);
    }
  });

  it('varies on Accept and Accept-Language', async () => {
    expect((await page('de')).headers.vary).to.equal('Accept, Accept-Language');
  });

  it('offers only the languages given, the first being the fallback; one language means no negotiation', async () => {
    expect((await page('fr', { languages: ['de', 'en'] })).headers['content-language']).to.equal('de');
    expect((await page('en', { languages: ['de', 'en'] })).headers['content-language']).to.equal('en');
    const english = await page('de', { languages: ['en'] });
    expect(english.text).to.contain(`<h1>${TITLES.en}</h1>`);
    expect(english.headers.vary).to.equal('Accept');
  });

  it('keeps one cached page per language and texts, never serving one language for another', async () => {
    const views = mkdtempSync(join(tmpdir(), 'kum-locales-'));
    const counter = `__kumLocaleRenders${process.pid}`;
    writeFileSync(join(views, 'maintenance.pug'), `- globalThis.${counter} = (globalThis.${counter} || 0) + 1\nhtml(lang=lang)\n  h1= title`);
    try {
      const app = appWith({ unleash: on, views }).callback();
      const get = async (lang: string) => (await request(app).get('/').set('Accept', 'text/html').set('Accept-Language', lang)).text;
      for (let round = 0; round < 3; round += 1) {
        expect(await get('de')).to.equal(`<html lang="de"><h1>${TITLES.de}</h1></html>`);
        expect(await get('fr')).to.equal(`<html lang="fr"><h1>${TITLES.fr}</h1></html>`);
        expect(await get('de-AT')).to.equal(`<html lang="de"><h1>${TITLES.de}</h1></html>`);
      }
      // German and French once each, plus the English page rendered ahead at start-up.
      expect((globalThis as Record<string, unknown>)[counter]).to.equal(3);
    } finally {
      rmSync(views, { recursive: true });
    }
  });

  it('keeps texts from the app\'s static locals over the language defaults', async () => {
    const reply = await page('de', { locals: { title: 'Acme ruht' } });
    expect(reply.text).to.contain('<h1>Acme ruht</h1>').and.contain('Wir nehmen gerade');
  });

  it('refuses languages it does not ship, naming the entry', () => {
    const startWith = (languages: unknown) => () => maintenance({ unleash: on, languages: languages as never });
    expect(startWith([])).to.throw(TypeError, /^maintenance\(\): languages an array is not a non-empty array of shipped languages \(en, de, fr, es\)$/);
    expect(startWith('de')).to.throw(TypeError, /languages "de" is not a non-empty array/);
    expect(startWith(['en', 'pt'])).to.throw(TypeError, /^maintenance\(\): languages\[1\] "pt" is not a shipped language \(en, de, fr, es\)$/);
    expect(startWith(['de-DE'])).to.throw(TypeError, /languages\[0\] "de-DE"/);
  });
});
