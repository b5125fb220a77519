import { createAdminApi, type AdminApi } from './admin-api.js';
import type { Database } from './database.js';
import { assertPortFree, findFreePort } from './free-port.js';
import { provideDatabase } from './postgres.js';
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
}

/** Postgres plus an Unleash server in a child process, and the means to drive them. */
export interface UnleashStack {
  url: string;
  tokens: LocalTokens;
  admin: AdminApi;
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
  const database = await provideDatabase();
  const launch = () =>
    startUnleashServer({
      databaseUrl: database.url,
      host,
      port,
      tokens: LOCAL_TOKENS,
      logLevel: options.logLevel ?? 'warn',
      onOutput: options.onOutput,
      featureCaching: options.featureCaching ?? false,
    });

  let server: UnleashServer | undefined;
  try {
    server = await launch();
  } catch (error) {
    await database.drop();
    throw error;
  }
  const url = server.url;
  return {
    url,
    tokens: LOCAL_TOKENS,
    admin: createAdminApi(url, LOCAL_TOKENS.admin),
    async stopServer() {
      await server?.stop();
      server = undefined;
    },
    async startServer() {
      if (!server) server = await launch();
    },
    async stop() {
      await server?.stop();
      server = undefined;
      await dropQuietly(database);
    },
    serverPid: () => server?.pid,
  };
}

async function dropQuietly(database: Database): Promise<void> {
  try {
    await database.drop();
  } catch (error) {
    console.error(`Could not remove the Unleash database: ${(error as Error).message}`);
  }
}
