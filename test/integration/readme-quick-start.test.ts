import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { findFreePort, waitFor } from '../../dev/unleash/index.js';
import { httpGet } from '../support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash, skipOnExistingServer } from '../support/shared-unleash.js';

const root = new URL('../../', import.meta.url);
const FLAG = 'maintenance-mode';

/** The first js code block under "## Quick start" in README.md, exactly as a reader would copy it. */
function quickStartCode(): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('README.md has no js block under "## Quick start"');
  return block[1];
}

// The README's promise: copy the quick start, point it at Unleash, and the site is in maintenance.
describe('integration: the README quick start', function () {
  let stack: UnleashStack;
  let child: ChildProcess | undefined;
  const workDir = new URL('test-artifacts/quick-start/', root);

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    if (!existsSync(new URL('dist/index.js', root))) this.skip(); // npm test builds before mocha runs
    const shared = await sharedUnleash();
    skipOnExistingServer(this, shared, 'it deletes and recreates the flag maintenance-mode, which may be yours');
    stack = shared;
    await stack.admin.deleteFlag(FLAG);
    await stack.admin.createFlag(FLAG);
    await stack.admin.addStrategy(FLAG, 'development', { name: 'default' });
    await stack.admin.setEnabled(FLAG, 'development', true);
  });

  after(async () => {
    child?.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
    await stack?.admin.deleteFlag(FLAG);
  });

  it('runs as written and serves the maintenance page, with /healthz still answering', async function () {
    this.timeout(30_000);
    // Inside the package folder, so `import 'koa-unleash-maintenance'` resolves to this package's build by name.
    mkdirSync(workDir, { recursive: true });
    writeFileSync(new URL('app.mjs', workDir), quickStartCode());
    const port = await findFreePort();
    let output = '';
    child = spawn(process.execPath, ['app.mjs'], {
      cwd: workDir,
      // TMPDIR keeps the client's default backup file (unleash-backup-shop.json) inside workDir, removed afterwards.
      env: { ...process.env, TMPDIR: workDir.pathname, PORT: String(port), UNLEASH_URL: `${stack.url}/api`, UNLEASH_API_TOKEN: stack.tokens.development },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const url = `http://127.0.0.1:${port}`;
    const home = await waitFor(() => httpGet(`${url}/`).catch(() => undefined), { timeoutMs: 20_000, description: "the quick start app to answer" });
    expect(home.status, output).to.equal(503);
    expect(home.body).to.contain('<h1>Down for maintenance</h1>');
    expect((await httpGet(`${url}/healthz`)).body).to.equal('Hello, shoppers');
  });
});
