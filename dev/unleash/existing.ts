import { randomBytes } from 'node:crypto';
import { createAdminApi, createCaller } from './admin-api.js';
import type { UnleashStack } from './stack.js';
import type { LocalTokens } from './tokens.js';

/**
 * Runs the integration suite against a server you already have, to check your own Unleash version:
 *
 *   TEST_UNLEASH_URL=http://127.0.0.1:4242 TEST_UNLEASH_ADMIN_TOKEN='*:*.…' npx mocha 'test/integration/**\/*.test.ts'
 *
 * Not UNLEASH_URL/UNLEASH_ADMIN_TOKEN: those configure the unleash-maintenance command, and a shell set up for
 * it must not turn `npm test` into writes on that (perhaps production) server. The server needs the environments
 * `development` and `production` (Unleash's defaults). The suite creates flags with unique names and deletes them;
 * tests that stop the server or use the default flag name `maintenance-mode` are skipped, saying why.
 */
export interface ExistingUnleash {
  url: string;
  adminToken: string;
}

/** TEST_UNLEASH_URL + TEST_UNLEASH_ADMIN_TOKEN, or undefined when neither is set. */
export function existingUnleashFromEnv(env: NodeJS.ProcessEnv = process.env): ExistingUnleash | undefined {
  const url = env.TEST_UNLEASH_URL?.trim();
  const adminToken = env.TEST_UNLEASH_ADMIN_TOKEN?.trim();
  if (!url && !adminToken) return undefined;
  if (!url || !adminToken) throw new Error('Set both TEST_UNLEASH_URL (the server root, without /api) and TEST_UNLEASH_ADMIN_TOKEN, or neither');
  return { url: url.replace(/\/+$/, '').replace(/\/api$/, ''), adminToken };
}

/**
 * An UnleashStack over a running server: backend tokens for development and production are created through
 * the Admin API and deleted by `stop()`, which leaves the server running.
 */
export async function connectExistingUnleash({ url, adminToken }: ExistingUnleash): Promise<UnleashStack> {
  const admin = createCaller(url, adminToken);
  const call = (method: string, path: string, body?: unknown): Promise<unknown> => admin(method, path, body, [200, 201, 202, 204]);

  const suffix = randomBytes(3).toString('hex');
  const created: string[] = [];
  const backendToken = async (environment: string): Promise<string> => {
    const body = { tokenName: `koa-unleash-maintenance-tests-${environment}-${suffix}`, type: 'backend', environment, projects: ['*'] };
    const { secret } = (await call('POST', '/api/admin/api-tokens', body)) as { secret: string };
    created.push(secret);
    return secret;
  };
  const deleteTokens = async () => {
    for (const secret of created.splice(0)) await call('DELETE', `/api/admin/api-tokens/${encodeURIComponent(secret)}`).catch(() => {});
  };

  let tokens: LocalTokens;
  try {
    tokens = { admin: adminToken, development: await backendToken('development'), production: await backendToken('production') };
  } catch (error) {
    await deleteTokens();
    throw error;
  }
  const config = (await call('GET', '/api/admin/ui-config').catch(() => undefined)) as { versionInfo?: { current?: { oss?: string } }; version?: string } | undefined;
  const cannot = (what: string) => () => Promise.reject(new Error(`cannot ${what} an existing Unleash (TEST_UNLEASH_URL)`));
  return {
    url,
    tokens,
    admin: createAdminApi(url, adminToken),
    serverVersion: config?.versionInfo?.current?.oss ?? config?.version ?? 'unknown',
    ownServer: false,
    stopServer: cannot('stop'),
    startServer: cannot('restart'),
    stop: deleteTokens,
    serverPid: () => undefined,
  };
}
