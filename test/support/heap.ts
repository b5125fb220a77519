import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `gc` without --expose-gc on the command line: mocha's processes do not get it.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use once garbage is collected, three times with a breath between, so what is left is what is held. */
export async function settledHeapUsed(): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}
