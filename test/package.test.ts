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
    expect(JSON.parse(esm)).to.deep.include.members([['maintenance', 'function']]);
    expect(esm).to.equal(cjs);
  });

  it('finds the bundled views/ from both builds', () => {
    const make = `({ unleash: { isEnabled: () => false, getVariant: () => ({}) } })`;
    expect(inNode('--input-type=module', `import { maintenance } from 'koa-unleash-maintenance'; console.log(typeof maintenance(${make}));`)).to.equal('function\n');
    expect(inNode('--input-type=commonjs', `const { maintenance } = require('koa-unleash-maintenance'); console.log(typeof maintenance(${make}));`)).to.equal('function\n');
  });

  it('ships type declarations for both conditions', () => {
    expect(existsSync(new URL('dist/index.d.ts', root))).to.equal(true);
    expect(existsSync(new URL('dist/index.d.cts', root))).to.equal(true);
  });
});
