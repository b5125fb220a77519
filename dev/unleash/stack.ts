import { createAdminApi, type AdminApi } from './admin-api.js';
import type { Database } from './database.js';
import { assertPortFree, findFreePort } from './free-port.js';
import { provideDatabase } from './postgres.js';
import { chooseUnleashServer, type UnleashServerChoice } from './server-choice.js';
import { startUnleashServer, type UnleashServer } from './server-process.js';
import { LOCAL_TOKENS, type LocalTokens } from './tokens.js';

export interface UnleashStackOptions {
  /** Loopback port for Unleash; a free one when omitted. */
  port?: number;
  host?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  onOutput?: (chunk: string) => void;
  /** unleash-server's client feature cache, as production runs it; off by default (see ServerChildConfig). */
  featureCaching?: boolean;
  /** Which unleash-server; by default chooseUnleashServer() (UNLEASH_SERVER_MAJOR, else 8 on Node >= 22, 7.5.1 on Node 20). */
  server?: UnleashServerChoice;
}

/** Postgres plus an Unleash server in a child process, and the means to drive them. */
export interface UnleashStack {
  url: string;
  tokens: LocalTokens;
  admin: AdminApi;
  /** The unleash-server version, e.g. "8.2.0" (for an existing server, what it reports, or "unknown"). */
  serverVersion: string;
  /** False for a server this harness did not start (connectExistingUnleash): it cannot stop or restart it. */
  ownServer: boolean;
  /** Stops only the Unleash process (an outage); the database stays. */
  stopServer(): Promise<void>;
  /** Starts Unleash again on the same port and database. */
  startServer(): Promise<void>;
  /** Stops Unleash and removes the database. Safe to call twice. */
  stop(): Promise<void>;
  /** The Unleash process's id while it runs (to read its CPU time), else undefined. */
  serverPid(): number | undefined;
}

export async function startUnleashStack(options: UnleashStackOptions = {}): Promise<UnleashStack> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  // Checked before Postgres starts, so a busy port fails fast and clearly.
  if (options.port !== undefined) await assertPortFree(host, port);
  const server = options.server ?? chooseUnleashServer();
  const database = await provideDatabase();
  const launch = () =>
    startUnleashServer({
      serverPackage: server.packageName,
      databaseUrl: database.url,
      host,
      port,
      tokens: LOCAL_TOKENS,
      logLevel: options.logLevel ?? 'warn',
      onOutput: options.onOutput,
      featureCaching: options.featureCaching ?? false,
    });

  let running: UnleashServer | undefined;
  try {
    running = await launch();
  } catch (error) {
    await database.drop();
    throw error;
  }
  const url = running.url;
  return {
    url,
    tokens: LOCAL_TOKENS,
    admin: createAdminApi(url, LOCAL_TOKENS.admin),
    serverVersion: server.version,
    ownServer: true,
    async stopServer() {
      await running?.stop();
      running = undefined;
    },
    async startServer() {
      if (!running) running = await launch();
    },
    async stop() {
      await running?.stop();
      running = undefined;
      await dropQuietly(database);
    },
    serverPid: () => running?.pid,
  };
}

async function dropQuietly(database: Database): Promise<void> {
  try {
    await database.drop();
  } catch (error) {
    console.error(`Could not remove the Unleash database: ${(error as Error).message}`);
  }
}
