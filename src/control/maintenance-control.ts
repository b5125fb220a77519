import { DEFAULT_FLAG_NAME } from '../flag/payload.js';
import { createFlagAdminApi, type FlagAdminApi } from './admin-api.js';
import type { Feature, AdminStrategy } from './admin-types.js';
import { absentEnvironmentStatus, environmentStatus } from './environment-status.js';
import { ControlInputError, UnleashError } from './errors.js';
import type { HttpTarget } from './http.js';
import { resolveMaintenanceWindow } from './maintenance-window.js';
import { clientTokensByEnvironment, waitUntilServed, type ServedExpectation } from './served-state.js';
import type { MaintenanceScope } from '../flag/scope.js';
import { resolveScope } from './scope-options.js';
import { findManagedStrategy, isManagedStrategy, strategyFor } from './strategy.js';
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
   * Creates the flag if missing, writes its maintenance strategy (rollout, payload, end time; the scope's
   * constraints for a scope) in each environment and switches it on there. Beside other scopes while the flag
   * is on; afresh while it is off, where the strategies this package wrote for other scopes ended with `off`.
   */
  async enable(environments: string | readonly string[], options: EnableOptions = {}): Promise<EnvironmentStatus[]> {
    const names = environmentList(environments);
    const window = resolveMaintenanceWindow(options, new Date());
    const strategy = strategyFor(this.flag, window);
    await this.#checkEnvironments(names);
    const waitTargets = await this.#prepareWait(options.wait, names);
    const feature = (await this.#admin.getFeature()) ?? (await this.#createFeature());
    for (const environment of names) {
      const state = feature.environments?.find((candidate) => candidate.name === environment);
      let strategies = state?.strategies ?? [];
      if (!state?.enabled) strategies = await this.#removeEndedScopes(environment, strategies, window.scope);
      await this.#writeStrategy(environment, strategies, strategy, window.scope, !state?.enabled);
      if (!state?.enabled) await this.#admin.setEnabled(environment, true);
    }
    await this.#finishWait(options.wait, waitTargets, names.map((environment) => ({ environment, enabled: true, strategy })));
    return (await this.status(names)).environments;
  }

  /**
   * Switches the flag off in each environment; its strategies and payloads stay for next time. With a scope,
   * ends only that scope's maintenance: its strategy is removed, and the flag goes off with the last one.
   */
  async disable(environments: string | readonly string[], options: DisableOptions = {}): Promise<EnvironmentStatus[]> {
    const names = environmentList(environments);
    const scope = resolveScope(options.scope);
    await this.#checkEnvironments(names);
    const waitTargets = await this.#prepareWait(options.wait, names);
    const feature = await this.#admin.getFeature();
    const expectations: ServedExpectation[] = [];
    for (const environment of names) {
      const state = feature?.environments?.find((candidate) => candidate.name === environment);
      const ended = scope && state?.enabled ? findManagedStrategy(state.strategies ?? [], scope, false) : undefined;
      const remaining = (state?.strategies ?? []).filter((strategy) => strategy !== ended && !strategy.disabled);
      if (ended?.id) await this.#admin.deleteStrategy(environment, ended.id);
      const switchOff = state?.enabled === true && (!scope || remaining.length === 0);
      if (switchOff) await this.#admin.setEnabled(environment, false);
      expectations.push(switchOff || !state?.enabled ? { environment, enabled: false } : { environment, enabled: true, ...(ended ? { without: ended } : {}) });
    }
    await this.#finishWait(options.wait, waitTargets, expectations);
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

  /** Deletes the strategies this package wrote for scopes other than `scope`: their maintenance ended with `off`. */
  async #removeEndedScopes(environment: string, strategies: readonly AdminStrategy[], scope: MaintenanceScope | undefined): Promise<AdminStrategy[]> {
    const kept = findManagedStrategy(strategies, scope, false);
    const remaining: AdminStrategy[] = [];
    for (const strategy of strategies) {
      if (strategy !== kept && strategy.id && isManagedStrategy(strategy)) await this.#admin.deleteStrategy(environment, strategy.id);
      else remaining.push(strategy);
    }
    return remaining;
  }

  async #writeStrategy(environment: string, existing: readonly AdminStrategy[], strategy: AdminStrategy, scope: MaintenanceScope | undefined, adoptLone: boolean): Promise<void> {
    // A scope never takes over the strategy of a maintenance that is on: that would narrow it.
    const managed = findManagedStrategy(existing, scope, adoptLone || !scope);
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
