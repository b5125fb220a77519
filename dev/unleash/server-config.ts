import type { LocalTokens } from './tokens.js';

/** What the parent tells the Unleash child process, as JSON in argv. */
export interface ServerChildConfig {
  /** Which unleash-server to import (see server-choice.ts). */
  serverPackage: 'unleash-server' | 'unleash-server8';
  databaseUrl: string;
  host: string;
  port: number;
  tokens: LocalTokens;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * unleash-server's client feature cache (on by default in production). Off here unless asked: it delays
   * what clients are served by about a second, which tests would wait out on every toggle.
   */
  featureCaching?: boolean;
}

export function parseServerChildConfig(json: string | undefined): ServerChildConfig {
  if (!json) throw new Error('server-main: expected the configuration as JSON in argv[2]');
  return JSON.parse(json) as ServerChildConfig;
}
