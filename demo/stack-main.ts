// The Unleash side of `npm start`, in a process of its own (see demo/stack.ts for why): Postgres and
// unleash-server through dev/unleash, the flag seeded. Stops everything when told to over IPC, or when
// `npm start` goes away.
import { startUnleashStack, type UnleashStack } from '../dev/unleash/index.js';
import { seedMaintenanceFlag } from './seed.js';
import type { StackChildConfig, StackChildMessage, StackParentMessage } from './stack-messages.js';

const config = JSON.parse(process.argv[2] ?? '{}') as StackChildConfig;
const send = (message: StackChildMessage) => process.send?.(message);

let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // A stop that arrives while starting waits for the start to settle, so that what it started can be stopped.
  const stack = await starting;
  try {
    await stack?.stop();
  } finally {
    process.exit();
  }
}

const starting: Promise<UnleashStack | undefined> = (async () => {
  try {
    const stack = await startUnleashStack({
      port: config.port,
      logLevel: 'error',
      onOutput: (chunk) => process.stderr.write(chunk),
    });
    try {
      if (!stopping) await seedMaintenanceFlag(stack.admin, config.flagName);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    if (!stopping) send({ type: 'ready', url: stack.url, serverVersion: stack.serverVersion });
    return stack;
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    // The parent answers with 'stop' (or goes away), which ends this process.
    process.exitCode = 1;
    return undefined;
  }
})();

process.on('message', (message: StackParentMessage) => {
  if (message?.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());
