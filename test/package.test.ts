import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';

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

  it('ships type declarations for both conditions', () => {
    for (const entry of ['index', 'control']) {
      expect(existsSync(new URL(`dist/${entry}.d.ts`, root)), entry).to.equal(true);
      expect(existsSync(new URL(`dist/${entry}.d.cts`, root)), entry).to.equal(true);
    }
  });
});
