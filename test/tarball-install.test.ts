import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * The packed tarball installed as an app installs it, from the npm registry, into fresh Koa 3 apps with
 * `@types/koa@3`: one without koa-views (the page is Pug's), one with koa-views and ejs (the page is ejs').
 * Plain `npm install`, no `--legacy-peer-deps`: an ERESOLVE fails the test. Skipped, saying so, only when the
 * registry cannot be reached.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const NPM_TIMEOUT_MS = 240_000;

function npm(cwd: string, args: string[]): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: NPM_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
}

function registryReachable(): boolean {
  return spawnSync('npm', ['ping'], { cwd: root, timeout: 30_000, stdio: 'ignore' }).status === 0;
}

/** What an install weighs: packages under node_modules (by their package.json) and kilobytes on disk. */
function weight(app: string): { packages: number; kilobytes: number } {
  const listed = npm(app, ['ls', '--all', '--parseable', '--omit=dev']).trim().split('\n').slice(1);
  const kilobytes = Number(execFileSync('du', ['-sk', join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages: new Set(listed).size, kilobytes };
}

/** Runs `code` as an ES module in the app, printing what it prints. */
function runIn(app: string, code: string): string {
  writeFileSync(join(app, 'main.mjs'), code);
  return execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8', timeout: 30_000 });
}

const UNLEASH = `new Unleash({ url: 'http://127.0.0.1:9/api/', appName: 'tarball', refreshInterval: 0, disableMetrics: true,
  storageProvider: new InMemStorageProvider(),
  bootstrap: { data: [{ name: 'maintenance-mode', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [] }] }] } })`;

/** Serves one request through the middleware on loopback and prints the status, content type and body. */
const serveOnce = (options: string) => `
import http from 'node:http';
import Koa from 'koa';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import { maintenance } from 'koa-unleash-maintenance';
const unleash = ${UNLEASH};
unleash.on('error', () => {});
await new Promise((resolve) => unleash.once('ready', resolve));
const app = new Koa();
app.use(maintenance({ unleash, ${options} }));
app.use((ctx) => { ctx.body = 'route'; });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const reply = await fetch(\`http://127.0.0.1:\${server.address().port}/\`, { headers: { accept: 'text/html' } });
console.log(JSON.stringify({ status: reply.status, type: reply.headers.get('content-type'), body: await reply.text() }));
server.close();
unleash.destroy();
`;

describe('the packed tarball in a fresh Koa 3 app (npm registry)', function () {
  this.timeout(NPM_TIMEOUT_MS * 2);
  let work: string;
  let tarball: string;

  before(function () {
    if (!registryReachable()) {
      console.log('      skipped: the npm registry is not reachable (npm ping failed); these tests install from it');
      this.skip();
    }
    work = mkdtempSync(join(tmpdir(), 'kum-tarball-'));
    if (!existsSync(join(root, 'dist', 'index.js'))) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
    npm(root, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work]);
    const [name] = readdirSync(work).filter((file) => file.endsWith('.tgz'));
    tarball = join(work, name as string);
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function freshApp(name: string, dependencies: Record<string, string>, more: object = {}): string {
    const app = join(work, name);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({
      name, private: true, type: 'module',
      dependencies: { koa: '^3', '@types/koa': '^3', 'unleash-client': '^6', 'koa-unleash-maintenance': `file:${tarball}`, ...dependencies },
      ...more,
    }, null, 2));
    npm(app, ['install', '--no-audit', '--no-fund', '--ignore-scripts']);
    return app;
  }

  it('installs without koa-views (no ERESOLVE) and renders the bundled page with Pug', () => {
    const app = freshApp('without-koa-views', {});
    expect(existsSync(join(app, 'node_modules', 'koa-views')), 'koa-views is not installed').to.equal(false);
    expect(existsSync(join(app, 'node_modules', 'pug'))).to.equal(true);
    const reply = JSON.parse(runIn(app, serveOnce('')));
    expect(reply).to.include({ status: 503, type: 'text/html; charset=utf-8' });
    expect(reply.body).to.match(/^<!DOCTYPE html><html lang="en">/).and.to.contain('<h1>Down for maintenance</h1>');

    const refused = runIn(app, `import { maintenance } from 'koa-unleash-maintenance';
      try { maintenance({ unleash: { isEnabled: () => false, getVariant: () => ({}) }, views: { dir: '.', extension: 'ejs' }, view: 'main' }); }
      catch (error) { console.log(error.name + ': ' + error.message); }`);
    expect(refused).to.match(/^TypeError: maintenance\(\): views an object needs koa-views: install koa-views to render the page in another engine/);
    console.log(`      without koa-views: ${JSON.stringify(weight(app))}`);
  });

  // koa-views 8 declares an optional peer @types/koa@^2: beside @types/koa@3 npm refuses it (ERESOLVE) with or
  // without this package, so a Koa 3 TypeScript app that has koa-views already carries this override (docs/usage.md).
  it('installs with koa-views and ejs beside @types/koa@3 (koa-views\' own override, no ERESOLVE) and renders the page with ejs', () => {
    const app = freshApp('with-koa-views', { 'koa-views': '^8', ejs: '^3' }, { overrides: { 'koa-views': { '@types/koa': '$@types/koa' } } });
    mkdirSync(join(app, 'views'));
    writeFileSync(join(app, 'views', 'maintenance.ejs'), '<!DOCTYPE html><html lang="<%= lang %>"><title><%= title %></title><h1 data-engine="ejs"><%= title %></h1><p><%= message %></p></html>');
    const reply = JSON.parse(runIn(app, serveOnce("views: { dir: 'views', extension: 'ejs' }")));
    expect(reply).to.include({ status: 503, type: 'text/html; charset=utf-8' });
    expect(reply.body).to.equal('<!DOCTYPE html><html lang="en"><title>Down for maintenance</title><h1 data-engine="ejs">Down for maintenance</h1><p>We are making some improvements and will be back shortly. Thank you for your patience.</p></html>');
    console.log(`      with koa-views and ejs: ${JSON.stringify(weight(app))}`);
  });
});
