import type { FeatureEnvironment } from '../../src/control/admin-types.js';

export interface FeatureSnapshot {
  type: string;
  environments: FeatureEnvironment[];
}

/** The flag as the Admin API stores it, read independently of the code under test. */
export async function readFeature(url: string, adminToken: string, flag: string, project = 'default'): Promise<FeatureSnapshot | undefined> {
  const response = await fetch(`${url}/api/admin/projects/${project}/features/${encodeURIComponent(flag)}`, {
    headers: { authorization: adminToken },
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`reading ${flag} answered ${response.status}`);
  return (await response.json()) as FeatureSnapshot;
}

/** What the client API serves right now to a backend token. */
export async function servedFeature(url: string, clientToken: string, flag: string): Promise<{ enabled: boolean; strategies: unknown[] } | undefined> {
  const response = await fetch(`${url}/api/client/features/${encodeURIComponent(flag)}`, {
    headers: { authorization: clientToken },
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`client API for ${flag} answered ${response.status}`);
  return (await response.json()) as { enabled: boolean; strategies: unknown[] };
}
