/** What `npm start` was asked to do, from its command line and environment. */
export interface DemoConfig {
  host: '127.0.0.1';
  appPort: number;
  /** Where to start the local Unleash; ignored when `external` is set. */
  unleashPort: number;
  /** Your own Unleash (UNLEASH_URL + UNLEASH_API_TOKEN): nothing else is started. */
  external: ExternalUnleash | undefined;
  help: boolean;
}

export interface ExternalUnleash {
  /** The client API root, ending in `/api`. */
  apiUrl: string;
  /** The Unleash UI, for the printed instructions. */
  uiUrl: string;
  token: string;
}

export const DEFAULT_APP_PORT = 3000;
export const DEFAULT_UNLEASH_PORT = 4242;

export const USAGE = `Usage: npm start [-- --app-port N --unleash-port N]

Starts Postgres (embedded, or a fresh database on DATABASE_URL), unleash-server with
its UI, and a demo Koa app behind maintenance(), all on 127.0.0.1. Ctrl-C stops them.

Options (or environment variables):
  --app-port N       APP_PORT       port of the demo app (default ${DEFAULT_APP_PORT})
  --unleash-port N   UNLEASH_PORT   port of Unleash and its UI (default ${DEFAULT_UNLEASH_PORT})
  -h, --help                        this text

Your own Postgres for the local Unleash:
  DATABASE_URL       postgres://user:password@host:port/db (a fresh database is created
                     on that server and dropped at the end; the user needs CREATEDB)

Your own Unleash instead of a local one (nothing else is started):
  UNLEASH_URL        e.g. https://unleash.example.com/api (a missing /api is added)
  UNLEASH_API_TOKEN  a backend (client) token; it picks the environment`;

/** A mistake on the command line or in the environment; the message says which. */
export class DemoConfigError extends Error {
  override name = 'DemoConfigError';
}

function parsePort(value: string, source: string): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new DemoConfigError(`${source} is ${JSON.stringify(value)}: expected a port number from 1 to 65535.`);
  }
  return port;
}

/** Reads `--name N`, `--name=N`, and `-h`/`--help`; anything else is an error. */
function parseArgs(argv: readonly string[]): { appPort?: string; unleashPort?: string; help: boolean } {
  const result: { appPort?: string; unleashPort?: string; help: boolean } = { help: false };
  const names: Record<string, 'appPort' | 'unleashPort'> = { '--app-port': 'appPort', '--unleash-port': 'unleashPort' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      result.help = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const key = names[flag];
    if (!key) throw new DemoConfigError(`Unknown argument ${JSON.stringify(arg)}.\n\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new DemoConfigError(`${flag} needs a port number.`);
    result[key] = value;
  }
  return result;
}

function parseExternal(env: NodeJS.ProcessEnv): ExternalUnleash | undefined {
  const url = env.UNLEASH_URL?.trim();
  const token = env.UNLEASH_API_TOKEN?.trim();
  if (!url && !token) return undefined;
  if (!url) throw new DemoConfigError('UNLEASH_API_TOKEN is set but UNLEASH_URL is not: set both to use your own Unleash, or neither.');
  if (!token) throw new DemoConfigError('UNLEASH_URL is set but UNLEASH_API_TOKEN is not: the demo app needs a backend token for your Unleash.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DemoConfigError(`UNLEASH_URL is ${JSON.stringify(url)}: expected an http(s) URL such as https://unleash.example.com/api.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DemoConfigError(`UNLEASH_URL is ${JSON.stringify(url)}: expected an http(s) URL.`);
  }
  const base = parsed.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const apiUrl = base.endsWith('/api') ? base : `${base}/api`;
  return { apiUrl, uiUrl: apiUrl.slice(0, -'/api'.length) || base, token };
}

/** Command-line flags win over environment variables. */
export function parseDemoConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const args = parseArgs(argv);
  const appPort = args.appPort ?? env.APP_PORT;
  const unleashPort = args.unleashPort ?? env.UNLEASH_PORT;
  return {
    host: '127.0.0.1',
    appPort: appPort ? parsePort(appPort, args.appPort ? '--app-port' : 'APP_PORT') : DEFAULT_APP_PORT,
    unleashPort: unleashPort ? parsePort(unleashPort, args.unleashPort ? '--unleash-port' : 'UNLEASH_PORT') : DEFAULT_UNLEASH_PORT,
    external: parseExternal(env),
    help: args.help,
  };
}

/**
 * The environment a backend token is for (`project:environment.secret`), or undefined for a token in
 * another format (e.g. an Unleash Edge or a newer token), which the printed instructions then describe.
 */
export function environmentOfToken(token: string): string | undefined {
  const match = /^[^:]+:([^.]+)\./.exec(token);
  return match?.[1];
}
