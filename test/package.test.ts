import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';

const root = new URL('../', import.meta.url);

/** Runs a snippet in a plain Node process (no tsx), from the package root, and returns what it prints. */
function inNode(flag: '--input-type=module' | '--input-type=commonjs', code: string): string {
  return execFileSync(process.execPath, [flag, '-e', code], { cwd: root, encoding: 'utf8' });
}

// Self-referencing the package by name resolves through package.json "exports", as an installed copy would.
describe('the built package', function () {
  this.timeout(60_000);

  before(() => {
    if (!existsSync(new URL('dist/index.js', root))) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  });

  const describeExports = `
    const names = Object.keys(pkg).filter((k) => k !== 'default' && k !== 'module.exports').sort();
    console.log(JSON.stringify(names.map((n) => [n, typeof pkg[n]])));`;

  it('gives the same exports to import and to require', () => {
    const esm = inNode('--input-type=module', `import * as pkg from 'koa-unleash-maintenance';${describeExports}`);
    const cjs = inNode('--input-type=commonjs', `const pkg = require('koa-unleash-maintenance');${describeExports}`);
    expect(JSON.parse(esm)).to.deep.include.members([['maintenance', 'function'], ['isNormalPath', 'function'], ['DEFAULT_FLAG_NAME', 'string']]);
    expect(esm).to.equal(cjs);
  });

  it('keeps the admin client off the middleware\'s entry, on /control for import and require alike', () => {
    const main = inNode('--input-type=module', `import * as pkg from 'koa-unleash-maintenance';${describeExports}`);
    expect(JSON.parse(main).map(([name]: [string]) => name)).not.to.include.members(['MaintenanceControl']);
    const esm = inNode('--input-type=module', `import * as pkg from 'koa-unleash-maintenance/control';${describeExports}`);
    const cjs = inNode('--input-type=commonjs', `const pkg = require('koa-unleash-maintenance/control');${describeExports}`);
    expect(JSON.parse(esm)).to.deep.include.members([['MaintenanceControl', 'function'], ['UnleashError', 'function'], ['ControlInputError', 'function']]);
    expect(esm).to.equal(cjs);
  });

  it('loads neither Pug nor Koa-side code for the admin client', () => {
    const loaded = inNode('--input-type=commonjs', `require('koa-unleash-maintenance/control'); console.log(Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]pug[\\/]/.test(file)));`);
    expect(loaded).to.equal('false\n');
  });

  it('finds the bundled views/ from both builds', () => {
    const make = `({ unleash: { isEnabled: () => false, getVariant: () => ({}) } })`;
    expect(inNode('--input-type=module', `import { maintenance } from 'koa-unleash-maintenance'; console.log(typeof maintenance(${make}));`)).to.equal('function\n');
    expect(inNode('--input-type=commonjs', `const { maintenance } = require('koa-unleash-maintenance'); console.log(typeof maintenance(${make}));`)).to.equal('function\n');
  });

  it('loads koa-views, only for a views object, from both builds, and renders the page with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kum-built-views-'));
    try {
      writeFileSync(join(dir, 'maintenance.ejs'), '<h1 data-engine="ejs"><%= title %></h1>');
      const make = `({ unleash: { isEnabled: () => true, getVariant: () => ({}) }, override: true, views: { dir: ${JSON.stringify(dir)}, extension: 'ejs' } })`;
      const serve = `const app = new Koa(); app.use(maintenance(${make}));
        const loaded = () => Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]koa-views[\\/]/.test(file));
        request(app.callback()).get('/').then((reply) => console.log(reply.status, reply.text));`;
      const esm = `import { maintenance } from 'koa-unleash-maintenance'; import Koa from 'koa'; import request from 'supertest'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${serve}`;
      const cjs = `const { maintenance } = require('koa-unleash-maintenance'); const Koa = require('koa'); const request = require('supertest'); ${serve}`;
      expect(inNode('--input-type=module', esm)).to.equal('503 <h1 data-engine="ejs">Down for maintenance</h1>\n');
      expect(inNode('--input-type=commonjs', cjs)).to.equal('503 <h1 data-engine="ejs">Down for maintenance</h1>\n');
      const pugOnly = `const { maintenance } = require('koa-unleash-maintenance'); maintenance({ unleash: { isEnabled: () => false, getVariant: () => ({}) } });
        console.log(Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]koa-views[\\/]/.test(file)));`;
      expect(inNode('--input-type=commonjs', pugOnly), 'the bundled Pug page loads no koa-views').to.equal('false\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships type declarations for both conditions', () => {
    for (const entry of ['index', 'control']) {
      expect(existsSync(new URL(`dist/${entry}.d.ts`, root)), entry).to.equal(true);
      expect(existsSync(new URL(`dist/${entry}.d.cts`, root)), entry).to.equal(true);
    }
  });

  // What a TypeScript consumer's compiler finds for each entry, under each moduleResolution attw checks.
  // node10 reads no "exports": the root goes through "types", /control through "typesVersions".
  describe('type declarations as a consumer\'s TypeScript resolves them', () => {
    let consumer: string;
    before(() => {
      consumer = mkdtempSync(join(tmpdir(), 'kum-consumer-'));
      mkdirSync(join(consumer, 'node_modules'));
      symlinkSync(fileURLToPath(root), join(consumer, 'node_modules', 'koa-unleash-maintenance'), 'dir');
      writeFileSync(join(consumer, 'package.json'), '{"type":"commonjs"}');
    });
    after(() => rmSync(consumer, { recursive: true, force: true }));

    const { Node10, Node16, Bundler } = ts.ModuleResolutionKind;
    const { CommonJS, ESNext, Node16: NodeModule } = ts.ModuleKind;
    const cases: { name: string; options: ts.CompilerOptions; from: string; mode?: ts.ResolutionMode; index: string; control: string }[] = [
      { name: 'node10', options: { moduleResolution: Node10, module: CommonJS }, from: 'app.ts', index: 'index.d.cts', control: 'control.d.cts' },
      { name: 'node16 from CJS', options: { moduleResolution: Node16, module: NodeModule }, from: 'app.cts', mode: CommonJS, index: 'index.d.cts', control: 'control.d.cts' },
      { name: 'node16 from ESM', options: { moduleResolution: Node16, module: NodeModule }, from: 'app.mts', mode: ESNext, index: 'index.d.ts', control: 'control.d.ts' },
      { name: 'bundler', options: { moduleResolution: Bundler, module: ESNext }, from: 'app.ts', index: 'index.d.ts', control: 'control.d.ts' },
    ];
    for (const { name, options, from, mode, index, control } of cases) {
      it(`${name}: the root and /control`, () => {
        const resolve = (specifier: string) => ts.resolveModuleName(specifier, join(consumer, from), options, ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName;
        expect(resolve('koa-unleash-maintenance')).to.equal(fileURLToPath(new URL(`dist/${index}`, root)));
        expect(resolve('koa-unleash-maintenance/control')).to.equal(fileURLToPath(new URL(`dist/${control}`, root)));
      });
    }
  });

  it('names one repository for homepage, bugs and repository', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    const repo = 'https://github.com/koa-unleash-maintenance/koa-unleash-maintenance';
    expect(pkg.homepage).to.equal(`${repo}#readme`);
    expect(pkg.bugs.url).to.equal(`${repo}/issues`);
    expect(pkg.repository).to.deep.equal({ type: 'git', url: `git+${repo}.git` });
    expect(pkg.sideEffects).to.equal(false);
  });
});
