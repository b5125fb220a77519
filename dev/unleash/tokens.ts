/**
 * Throwaway API tokens for a local, loopback-only Unleash started by this
 * module. They protect nothing: never reuse them for a real Unleash.
 * Backend tokens choose the environment the client sees.
 */
export const LOCAL_TOKENS = {
  admin: '*:*.local-admin-token-for-tests-only',
  development: '*:development.local-development-token-for-tests-only',
  production: '*:production.local-production-token-for-tests-only',
} as const;

/** An admin token and a backend token per environment (an existing server's are not these literals). */
export type LocalTokens = { readonly [Name in keyof typeof LOCAL_TOKENS]: string };
