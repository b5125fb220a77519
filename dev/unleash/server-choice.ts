import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

/**
 * Which unleash-server the harness runs: 7.5.1 (`unleash-server`, the newest on Node 20) or 8.x
 * (`unleash-server8`, an alias devDependency; it needs Node >= 22). UNLEASH_SERVER_MAJOR=7|8 chooses;
 * by default 8 on Node >= 22, else 7, so every Node version is tested against the newest Unleash it can run.
 */
export type UnleashServerMajor = 7 | 8;

export interface UnleashServerChoice {
  major: UnleashServerMajor;
  /** The package the Unleash child process imports. */
  packageName: 'unleash-server' | 'unleash-server8';
  /** The installed version, e.g. "8.2.0". */
  version: string;
}

const PACKAGES = { 7: 'unleash-server', 8: 'unleash-server8' } as const;
const MIN_NODE_FOR_8 = 22;

export function chooseUnleashServer(env: NodeJS.ProcessEnv = process.env, nodeVersion = process.versions.node): UnleashServerChoice {
  const nodeMajor = Number(nodeVersion.split('.')[0]);
  const asked = env.UNLEASH_SERVER_MAJOR?.trim();
  let major: UnleashServerMajor;
  if (!asked) major = nodeMajor >= MIN_NODE_FOR_8 ? 8 : 7;
  else if (asked === '7' || asked === '8') major = Number(asked) as UnleashServerMajor;
  else throw new Error(`UNLEASH_SERVER_MAJOR must be 7 or 8, not "${asked}"`);
  if (major === 8 && nodeMajor < MIN_NODE_FOR_8) {
    throw new Error(`UNLEASH_SERVER_MAJOR=8: unleash-server 8 needs Node >= ${MIN_NODE_FOR_8}, this is Node ${nodeVersion}; use 7 (or no UNLEASH_SERVER_MAJOR) on this Node`);
  }
  const packageName = PACKAGES[major];
  return { major, packageName, version: installedVersion(packageName) };
}

/** Read from the package's folder: unleash-server's `exports` does not include its package.json. */
function installedVersion(packageName: string): string {
  const entry = createRequire(import.meta.url).resolve(packageName);
  const folder = `${sep}node_modules${sep}${packageName}${sep}`;
  const packageJson = join(entry.slice(0, entry.lastIndexOf(folder) + folder.length), 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
