import type { Feature, AdminStrategy } from './admin-types.js';
import { UnleashError } from './errors.js';
import { expectStatus, sendJson, unleashSays, type HttpTarget } from './http.js';

/** The Admin API calls that drive one flag in one project. 404s are explained here, where it is known what was missing. */
export interface FlagAdminApi {
  /** The project's environments; throws `unknown-project` when there is no such project. */
  projectEnvironments(): Promise<string[]>;
  /** The flag with its per-environment state, or undefined when it does not exist. */
  getFeature(): Promise<Feature | undefined>;
  /** Creates the flag as a kill switch; a flag created meanwhile by someone else is fine. */
  createFeature(): Promise<void>;
  addStrategy(environment: string, strategy: AdminStrategy): Promise<void>;
  updateStrategy(environment: string, id: string, strategy: AdminStrategy): Promise<void>;
  deleteStrategy(environment: string, id: string): Promise<void>;
  setEnabled(environment: string, enabled: boolean): Promise<void>;
}

export function createFlagAdminApi(target: HttpTarget, project: string, flag: string): FlagAdminApi {
  const projectPath = `/api/admin/projects/${encodeURIComponent(project)}`;
  const featurePath = `${projectPath}/features/${encodeURIComponent(flag)}`;
  const environmentPath = (environment: string) => `${featurePath}/environments/${encodeURIComponent(environment)}`;

  async function call(method: string, path: string, accepted: number[], body?: unknown) {
    const answer = await sendJson(target, method, path, body);
    expectStatus(answer, [...accepted, 404], target, `${method} ${path}`);
    return answer;
  }

  /** A 404 after the project was found means the environment or flag vanished; say so plainly. */
  function unexpectedNotFound(request: string, reason: string | undefined): UnleashError {
    return new UnleashError('rejected', `Unleash answered 404 to ${request}.${unleashSays(reason)}`, 404);
  }

  async function change(method: string, path: string, accepted: number[], body?: unknown): Promise<void> {
    const answer = await call(method, path, accepted, body);
    if (answer.status === 404) throw unexpectedNotFound(`${method} ${path}`, answer.reason);
  }

  async function getFeature(): Promise<Feature | undefined> {
    const answer = await call('GET', featurePath, [200]);
    return answer.status === 404 ? undefined : (answer.body as Feature);
  }

  return {
    async projectEnvironments() {
      const answer = await call('GET', `${projectPath}/overview`, [200]);
      if (answer.status === 404) {
        throw new UnleashError('unknown-project', `Unknown project "${project}" (404 Not Found): Unleash has no project with that id.`, 404);
      }
      return environmentNames(answer.body);
    },
    getFeature,
    async createFeature() {
      const body = { name: flag, type: 'kill-switch', description: 'Maintenance mode (koa-unleash-maintenance)' };
      const answer = await call('POST', `${projectPath}/features`, [200, 201, 409], body);
      if (answer.status === 404) throw unexpectedNotFound(`POST ${projectPath}/features`, answer.reason);
      // 409 is fine when someone created it meanwhile; not when the name is taken by an archived flag or another project.
      if (answer.status === 409 && !(await getFeature())) {
        throw new UnleashError(
          'rejected',
          `Cannot create the flag "${flag}" in project "${project}" (409 Conflict).${unleashSays(answer.reason)} Revive the archived flag, or name the project it lives in.`,
          409,
        );
      }
    },
    async addStrategy(environment, strategy) {
      await change('POST', `${environmentPath(environment)}/strategies`, [200], strategy);
    },
    async updateStrategy(environment, id, strategy) {
      await change('PUT', `${environmentPath(environment)}/strategies/${encodeURIComponent(id)}`, [200], strategy);
    },
    async deleteStrategy(environment, id) {
      await change('DELETE', `${environmentPath(environment)}/strategies/${encodeURIComponent(id)}`, [200]);
    },
    async setEnabled(environment, enabled) {
      await change('POST', `${environmentPath(environment)}/${enabled ? 'on' : 'off'}`, [200]);
    },
  };
}

/** `projectOverviewSchema.environments` lists `{ environment }` objects. */
function environmentNames(body: unknown): string[] {
  const environments = body && typeof body === 'object' && 'environments' in body ? body.environments : undefined;
  if (!Array.isArray(environments)) return [];
  return environments
    .map((entry: unknown) => (typeof entry === 'string' ? entry : (entry as { environment?: unknown })?.environment))
    .filter((name): name is string => typeof name === 'string');
}
