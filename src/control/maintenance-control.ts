import { DEFAULT_FLAG_NAME } from '../flag/payload.js';
import { createFlagAdminApi, type FlagAdminApi } from './admin-api.js';
import type { Feature, AdminStrategy } from './admin-types.js';
import { absentEnvironmentStatus, environmentStatus } from './environment-status.js';
import { ControlInputError, UnleashError } from './errors.js';
import type { HttpTarget } from './http.js';
import { resolveMaintenanceWindow } from './maintenance-window.js';
import { clientTokensByEnvironment, waitUntilServed, type ServedExpectation } from './served-state.js';
import { findManagedStrategy, strategyFor } from './strategy.js';
import type { DisableOptions, EnableOptions, EnvironmentStatus, FlagStatus, MaintenanceControlOptions, WaitOptions } from './types.js';
import { normalizeBaseUrl } from './unleash-url.js';

export const DEFAULT_PROJECT = 'default';
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_TIMEOUT_MS = 30_000;

/**
 * Switches maintenance on and off through the Unleash Admin API: one flag,
 * one project, per environment. `on` and `off` are idempotent.
 */
export class MaintenanceControl {
  readonly project: string;
  readonly flag: string;
  readonly #admin: FlagAdminApi;
  readonly #baseUrl: string;
  readonly #requestTimeoutMs: number;

  constructor(options: MaintenanceControlOptions) {
    this.#baseUrl = normalizeBaseUrl(options.url);
    this.project = nonEmpty(options.project ?? DEFAULT_PROJECT, 'project');
    this.flag = nonEmpty(options.flag ?? DEFAULT_FLAG_NAME, 'flag');
    this.#requestTimeoutMs = milliseconds(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
    const target = this.#target(nonEmpty(options.token, 'token'), 'admin token');
    this.#admin = createFlagAdminApi(target, this.project, this.flag);
  }

  /**
   * Creates the flag if missing, writes its maintenance strategy (rollout,
   * payload, end time) in each environment and switches it on there.
   */
  async enable(environments: string | readonly string[], options: EnableOptions = {}): Promise<EnvironmentStatus[]> {
    const names = environmentList(environments);
    const strategy = strategyFor(this.flag, resolveMaintenanceWindow(options, new Date()));
    await this.#checkEnvironments(names);
    const waitTargets = await this.#prepareWait(options.wait, names);
    const feature = (await this.#admin.getFeature()) ?? (await this.#createFeature());
    for (const environment of names) {
      const state = feature.environments?.find((candidate) => candidate.name === environment);
      await this.#writeStrategy(environment, state?.strategies ?? [], strategy);
      if (!state?.enabled) await this.#admin.setEnabled(environment, true);
    }
    await this.#finishWait(options.wait, waitTargets, names.map((environment) => ({ environment, enabled: true, strategy })));
    return (await this.status(names)).environments;
  }

  /** Switches the flag off in each environment; its strategy and payload stay for next time. */
  async disable(environments: string | readonly string[], options: DisableOptions = {}): Promise<EnvironmentStatus[]> {
    const names = environmentList(environments);
    await this.#checkEnvironments(names);
    const waitTargets = await this.#prepareWait(options.wait, names);
    const feature = await this.#admin.getFeature();
    for (const environment of names) {
      const state = feature?.environments?.find((candidate) => candidate.name === environment);
      if (state?.enabled) await this.#admin.setEnabled(environment, false);
    }
    await this.#finishWait(options.wait, waitTargets, names.map((environment) => ({ environment, enabled: false })));
    return (await this.status(names)).environments;
  }

  /** The flag's state in the given environments, or in all of the project's environments. */
  async status(environments?: string | readonly string[]): Promise<FlagStatus> {
    const projectEnvironments = await this.#admin.projectEnvironments();
    const names = environments === undefined ? projectEnvironments : environmentList(environments);
    this.#checkKnown(names, projectEnvironments);
    const feature = await this.#admin.getFeature();
    const now = new Date();
    return {
      project: this.project,
      flag: this.flag,
      exists: feature !== undefined,
      environments: names.map((name) => {
        const state = feature?.environments?.find((candidate) => candidate.name === name);
        return feature ? environmentStatus(name, state, now) : absentEnvironmentStatus(name);
      }),
    };
  }

  async #checkEnvironments(names: readonly string[]): Promise<void> {
    this.#checkKnown(names, await this.#admin.projectEnvironments());
  }

  #checkKnown(names: readonly string[], projectEnvironments: readonly string[]): void {
    const unknown = names.find((name) => !projectEnvironments.includes(name));
    if (unknown === undefined) return;
    const known = projectEnvironments.map((name) => `"${name}"`).join(', ') || 'none';
    throw new UnleashError(
      'unknown-environment',
      `Unknown environment "${unknown}" in project "${this.project}" (404 Not Found): the project's environments are ${known}.`,
      404,
    );
  }

  async #createFeature(): Promise<Feature> {
    await this.#admin.createFeature();
    const created = await this.#admin.getFeature();
    if (!created) throw new UnleashError('rejected', `Unleash accepted the new flag "${this.flag}" but does not return it.`);
    return created;
  }

  async #writeStrategy(environment: string, existing: readonly AdminStrategy[], strategy: AdminStrategy): Promise<void> {
    const managed = findManagedStrategy(existing);
    if (managed?.id) await this.#admin.updateStrategy(environment, managed.id, strategy);
    else await this.#admin.addStrategy(environment, strategy);
  }

  /** Checks the client tokens before anything changes, so a bad token leaves the flag alone. */
  async #prepareWait(wait: WaitOptions | undefined, names: readonly string[]): Promise<Map<string, HttpTarget> | undefined> {
    if (!wait) return undefined;
    if (wait.timeoutMs !== undefined) milliseconds(wait.timeoutMs, 'wait.timeoutMs');
    if (wait.clientTokens.length === 0) throw new ControlInputError('wait.clientTokens', 'must hold at least one backend (client) token');
    const targets = wait.clientTokens.map((token) => this.#target(nonEmpty(token, 'wait.clientTokens'), 'client token'));
    return clientTokensByEnvironment(targets, this.flag, names);
  }

  async #finishWait(wait: WaitOptions | undefined, targets: Map<string, HttpTarget> | undefined, expectations: ServedExpectation[]) {
    if (!wait || !targets) return;
    await waitUntilServed(this.flag, expectations, targets, wait.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
  }

  #target(token: string, tokenRole: HttpTarget['tokenRole']): HttpTarget {
    return { baseUrl: this.#baseUrl, token, tokenRole, timeoutMs: this.#requestTimeoutMs };
  }
}

function environmentList(environments: string | readonly string[]): string[] {
  const list = typeof environments === 'string' ? [environments] : [...environments];
  if (list.length === 0) throw new ControlInputError('environment', 'must name at least one environment');
  return [...new Set(list.map((name) => nonEmpty(name, 'environment')))];
}

function nonEmpty(value: string | undefined, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ControlInputError(option, 'must not be empty');
  return value.trim();
}

function milliseconds(value: number, option: string): number {
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new ControlInputError(option, `must be a whole number of milliseconds above 0, got ${value}`);
}
