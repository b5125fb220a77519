import type { StrategyVariant } from '../../src/control/admin-types.js';
import { waitFor } from './wait-for.js';

/**
 * A small client for the Unleash Admin API, enough to drive a flag from
 * tests and the demo. Every method throws on an unexpected status.
 */
export interface Strategy {
  name: 'default' | 'flexibleRollout' | 'remoteAddress' | 'userWithId' | (string & {});
  /** Unleash stores every parameter as a string (e.g. rollout "30"). */
  parameters?: Record<string, string>;
  constraints?: unknown[];
  variants?: StrategyVariant[];
}

/** The same variant shape the shipped control client writes. */
export type { StrategyVariant } from '../../src/control/admin-types.js';

export interface AdminApi {
  createFlag(name: string, type?: string): Promise<void>;
  addStrategy(flag: string, environment: string, strategy: Strategy): Promise<void>;
  setEnabled(flag: string, environment: string, enabled: boolean): Promise<void>;
  /** Replaces every strategy of the flag in `environment` with `strategy` (the switch stays as it is). */
  replaceStrategies(flag: string, environment: string, strategy: Strategy): Promise<void>;
  /** Archives the flag and deletes it from the archive; a missing flag is fine. */
  deleteFlag(name: string): Promise<void>;
}

export function createAdminApi(baseUrl: string, adminToken: string, project = 'default'): AdminApi {
  const projectPath = `/api/admin/projects/${encodeURIComponent(project)}`;
  const flagPath = (flag: string) => `${projectPath}/features/${encodeURIComponent(flag)}`;
  const call = createCaller(baseUrl, adminToken);

  return {
    async createFlag(name, type = 'operational') {
      await call('POST', `${projectPath}/features`, { name, type }, [201]);
    },
    async addStrategy(flag, environment, strategy) {
      const body = { constraints: [], parameters: {}, ...strategy };
      await call('POST', `${flagPath(flag)}/environments/${encodeURIComponent(environment)}/strategies`, body, [200]);
    },
    async setEnabled(flag, environment, enabled) {
      const action = enabled ? 'on' : 'off';
      await call('POST', `${flagPath(flag)}/environments/${encodeURIComponent(environment)}/${action}`, undefined, [200]);
    },
    async replaceStrategies(flag, environment, strategy) {
      const strategiesPath = `${flagPath(flag)}/environments/${encodeURIComponent(environment)}/strategies`;
      const existing = (await call('GET', strategiesPath, undefined, [200])) as { id: string }[];
      for (const { id } of existing) await call('DELETE', `${strategiesPath}/${encodeURIComponent(id)}`, undefined, [200]);
      await call('POST', strategiesPath, { constraints: [], parameters: {}, ...strategy }, [200]);
    },
    async deleteFlag(name) {
      // A 404's body is Unleash's error ({ name: 'NotFoundError', … }), not the flag.
      const feature = (await call('GET', flagPath(name), undefined, [200, 404])) as { name?: string; archived?: boolean } | undefined;
      const exists = feature?.name === name && !feature.archived;
      await call('DELETE', flagPath(name), undefined, [200, 202, 404]);
      // Unleash records the archived stage after answering, from an event listener. Deleting the flag before
      // that makes the insert fail a foreign key, an unhandled rejection that ends unleash-server (seen with
      // 8.2.0; 7.5.1 has the same listener). Wait for the stage first (about a second), at most 5 s.
      if (exists) await waitFor(
        async () => {
          const stages = await call('GET', `${flagPath(name)}/lifecycle`, undefined, [200, 404]);
          return !Array.isArray(stages) || stages.some((entry: { stage?: string }) => entry.stage === 'archived') ? true : undefined;
        },
        { description: `Unleash to record ${name} as archived`, timeoutMs: 5_000, intervalMs: 25 },
      ).catch(() => undefined);
      await call('DELETE', `/api/admin/archive/${encodeURIComponent(name)}`, undefined, [200, 404]);
    },
  };
}

/** One Admin API call; resolves to the parsed JSON answer (undefined when empty or not JSON). */
export type Caller = (method: string, path: string, body: unknown, expected: number[]) => Promise<unknown>;

export function createCaller(baseUrl: string, adminToken: string): Caller {
  return async (method, path, body, expected) => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: { authorization: adminToken, 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new Error(`Unleash Admin API ${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined;
    }
  };
}
