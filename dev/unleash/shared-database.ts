import { randomBytes } from 'node:crypto';
import knex from 'knex';
import type { Database } from './database.js';

/**
 * Creates a fresh, uniquely named database on the server that `serverUrl`
 * points to, so that runs sharing one Postgres never see each other's data.
 */
export async function createFreshDatabase(serverUrl: string, prefix = 'unleash_test'): Promise<Database> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await runAdminStatement(serverUrl, 'CREATE DATABASE ??', name);
  let dropped = false;
  return {
    url: withDatabaseName(serverUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE ends connections a killed Unleash may have left behind.
      await runAdminStatement(serverUrl, 'DROP DATABASE IF EXISTS ?? WITH (FORCE)', name);
    },
  };
}

async function runAdminStatement(serverUrl: string, sql: string, databaseName: string): Promise<void> {
  const db = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    await db.raw(sql, [databaseName]);
  } finally {
    await db.destroy();
  }
}

function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
