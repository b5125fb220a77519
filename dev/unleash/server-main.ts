// Entry point of the Unleash child process started by server-process.ts.
import type { IApiTokenCreate, IUnleashOptions } from 'unleash-server';
import { parseServerChildConfig, type ServerChildConfig } from './server-config.js';

const config = parseServerChildConfig(process.argv[2]);
// 7.5.1 or 8.x (server-choice.ts); 8 keeps 7.5's start() options and token types, so 7.5.1's types serve both.
const { ApiTokenType, start } = (await import(config.serverPackage)) as typeof import('unleash-server');

function initialTokens({ tokens }: ServerChildConfig): IApiTokenCreate[] {
  const backend = (environment: string, secret: string): IApiTokenCreate => ({
    tokenName: `local-${environment}`,
    type: ApiTokenType.BACKEND,
    environment,
    projects: ['*'],
    secret,
  });
  return [
    { tokenName: 'local-admin', type: ApiTokenType.ADMIN, environment: '*', projects: ['*'], secret: tokens.admin },
    backend('development', tokens.development),
    backend('production', tokens.production),
  ];
}

function unleashOptions(config: ServerChildConfig): IUnleashOptions {
  return {
    databaseUrl: config.databaseUrl,
    db: { ssl: false },
    server: {
      host: config.host,
      port: config.port,
      unleashUrl: `http://${config.host}:${config.port}`,
      gracefulShutdownEnable: true,
    },
    versionCheck: { enable: false },
    telemetry: false,
    // Without the cache, a toggle reaches clients on their next poll.
    clientFeatureCaching: { enabled: false },
    // Pinned, so the sign-in the demo prints holds even if UNLEASH_DEFAULT_ADMIN_* is set in the environment.
    authentication: { initApiTokens: initialTokens(config), initialAdminUser: { username: 'admin', password: 'unleash4all' } },
    logLevel: config.logLevel as IUnleashOptions['logLevel'],
  };
}

// If the parent dies without stopping us, do not linger.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
await start(unleashOptions(config));
