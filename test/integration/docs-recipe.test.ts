import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';
import { startWatchedApp, type WatchedApp } from '../support/watched-app.js';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash, skipOnExistingServer } from '../support/shared-unleash.js';

const root = new URL('../../', import.meta.url);
const FLAG = 'maintenance-mode'; // the recipe uses the default flag
const CONTROL = 'koa-unleash-maintenance/control';

/** The first ts code block under "## From Node" in docs/command.md, exactly as a reader would copy it. */
function recipeCode(): string {
  const doc = readFileSync(new URL('docs/command.md', root), 'utf8');
  const start = doc.indexOf('\n## From Node');
  if (start < 0) throw new Error('docs/command.md has no "## From Node" section');
  const block = /```ts\n([\s\S]*?)```/.exec(doc.slice(start));
  if (!block?.[1]) throw new Error('docs/command.md has no ts block under "## From Node"');
  return block[1];
}

/** The reader's `./migrate.js`: here it checks that the site is in maintenance while it "migrates". */
const MIGRATE = `export async function migrate() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await fetch(process.env.APP_URL, { headers: { accept: 'application/json' } });
    const body = await answer.text();
    if (answer.status === 503) {
      console.log('migrate: ' + body);
      return;
    }
    if (Date.now() > deadline) throw new Error('the site answered ' + answer.status + ' during the migration');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
`;

/** Text outside fenced code blocks, where headings and links live. */
function prose(markdown: string): string {
  return markdown.replace(/^ *```[\s\S]*?^ *```/gm, '');
}

/** The anchors GitHub gives a file's headings. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = heading!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

interface RecipeRun {
  code: number | null;
  output: string;
}

// docs/command.md's promise: the deploy script, as written, puts the site into maintenance around the
// migration and takes it out again, against a real Unleash and an app behind the middleware.
describe('integration: the docs/command.md MaintenanceControl recipe', function () {
  let stack: UnleashStack;
  let app: WatchedApp | undefined;
  let child: ChildProcess | undefined;
  const workDir = new URL('test-artifacts/docs-recipe/', root);

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    const shared = await sharedUnleash();
    skipOnExistingServer(this, shared, 'it deletes and recreates the flag maintenance-mode, which may be yours');
    stack = shared;
    await stack.admin.deleteFlag(FLAG);
    // Inside the package folder, so the recipe's imports resolve to this package by name (its built /control export).
    mkdirSync(workDir, { recursive: true });
    writeFileSync(new URL('deploy.ts', workDir), recipeCode());
    writeFileSync(new URL('migrate.js', workDir), MIGRATE);
    writeFileSync(new URL('migrate.d.ts', workDir), 'export declare function migrate(): Promise<void>;\n');
  });

  after(async function () {
    this.timeout(30_000);
    child?.kill('SIGKILL');
    await app?.close();
    rmSync(workDir, { recursive: true, force: true });
    await stack?.admin.deleteFlag(FLAG);
  });

  it('type-checks as written', function () {
    this.timeout(60_000);
    const file = fileURLToPath(new URL('deploy.ts', workDir));
    const config = ts.readConfigFile(fileURLToPath(new URL('tsconfig.json', root)), (path) => ts.sys.readFile(path));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, fileURLToPath(root));
    const program = ts.createProgram([file], {
      ...options,
      types: ['node'],
      // The source's types, so the check does not depend on a build.
      paths: { [CONTROL]: [fileURLToPath(new URL('src/control/index.ts', root))] },
    });
    const source = program.getSourceFile(file);
    const problems = ts.getPreEmitDiagnostics(program, source).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(problems).to.deep.equal([]);
  });

  it('runs as written: maintenance during the migration, none after', async function () {
    this.timeout(60_000);
    app = await startWatchedApp(stack.url, stack.tokens.production, FLAG);
    await app.waitForStatus(200);

    child = spawn(process.execPath, ['--import', 'tsx', 'deploy.ts'], {
      cwd: workDir,
      env: {
        ...process.env,
        UNLEASH_URL: stack.url,
        UNLEASH_ADMIN_TOKEN: stack.tokens.admin,
        UNLEASH_API_TOKEN: stack.tokens.production,
        APP_URL: app.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: RecipeRun = { code: null, output: '' };
    child.stdout?.on('data', (chunk) => (run.output += chunk));
    child.stderr?.on('data', (chunk) => (run.output += chunk));
    [run.code] = (await once(child, 'exit')) as [number | null];

    expect(run.code, run.output).to.equal(0);
    const seen = /^migrate: (.*)$/m.exec(run.output)?.[1];
    expect(seen, run.output).to.be.a('string');
    const problem = JSON.parse(seen!) as { status: number; detail: string; until?: string };
    expect(problem.status).to.equal(503);
    expect(problem.detail).to.equal('Upgrading the database');
    // until: '30m' is written as a time about half an hour ahead.
    const minutesAhead = (Date.parse(problem.until ?? '') - Date.now()) / 60_000;
    expect(minutesAhead, problem.until).to.be.within(28, 30.5);
    await app.waitForStatus(200);
  });
});

describe('docs: links between README.md and docs/', function () {
  const files = ['README.md', 'docs/command.md', 'docs/security.md', 'docs/usage.md', 'docs/production.md'];

  for (const file of files) {
    it(`${file}: every relative link and anchor resolves`, function () {
      const here = new URL(file, root);
      const broken: string[] = [];
      for (const [, target] of prose(readFileSync(here, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const linked = path === '' ? here : new URL(path, here);
        if (!existsSync(linked)) {
          broken.push(`${target}: no such file`);
        } else if (anchor !== undefined && !anchorsOf(readFileSync(linked, 'utf8')).has(anchor)) {
          broken.push(`${target}: no such heading`);
        }
      }
      expect(broken).to.deep.equal([]);
    });
  }
});
