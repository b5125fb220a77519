import type { Database } from './database.js';
import { startEmbeddedDatabase } from './embedded-database.js';
import { createFreshDatabase } from './shared-database.js';

/**
 * A database for one Unleash run: a fresh database on the server named by
 * DATABASE_URL when it is set, otherwise an embedded throwaway Postgres.
 */
export function provideDatabase(databaseUrl = process.env.DATABASE_URL): Promise<Database> {
  return databaseUrl ? createFreshDatabase(databaseUrl) : startEmbeddedDatabase();
}
