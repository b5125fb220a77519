import { expect } from 'chai';
import type { AdminStrategy } from '../../src/control/admin-types.js';
import { environmentStatus } from '../../src/control/environment-status.js';
import { resolveMaintenanceWindow } from '../../src/control/maintenance-window.js';
import { STRATEGY_TITLE, findManagedStrategy, strategyFor } from '../../src/control/strategy.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');

describe('control/strategy', function () {
  it('writes a titled flexibleRollout with string parameters', function () {
    const strategy = strategyFor('maintenance-mode', resolveMaintenanceWindow({ rollout: 30, stickiness: 'sessionId' }, NOW));
    expect(strategy).to.deep.equal({
      name: 'flexibleRollout',
      title: STRATEGY_TITLE,
      disabled: false,
      parameters: { rollout: '30', stickiness: 'sessionId', groupId: 'maintenance-mode' },
      constraints: [],
      segments: [],
      variants: [],
    });
  });

  it('ends the window with a DATE_BEFORE constraint on currentTime and carries the payload in one full-weight variant', function () {
    const strategy = strategyFor('m', resolveMaintenanceWindow({ message: 'Back soon', retryAfter: 60, until: '30m' }, NOW));
    expect(strategy.constraints).to.deep.equal([
      { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2030-01-01T12:30:00.000Z', values: [], inverted: false, caseInsensitive: false },
    ]);
    expect(strategy.variants).to.have.length(1);
    const [variant] = strategy.variants!;
    expect(variant).to.include({ weight: 1000, weightType: 'variable' });
    expect(JSON.parse(variant!.payload!.value)).to.deep.equal({ message: 'Back soon', retryAfter: 60, until: '2030-01-01T12:30:00.000Z' });
  });

  describe('findManagedStrategy', function () {
    const ours: AdminStrategy = { id: 'a', name: 'flexibleRollout', title: STRATEGY_TITLE };
    const foreign: AdminStrategy = { id: 'b', name: 'default', title: null };
    const other: AdminStrategy = { id: 'c', name: 'userWithId', title: 'beta users' };

    it('prefers the strategy titled by this package', function () {
      expect(findManagedStrategy([foreign, ours, other])).to.equal(ours);
    });
    it('adopts the only strategy there is (Unleash adds one when a flag is switched on bare)', function () {
      expect(findManagedStrategy([foreign])).to.equal(foreign);
    });
    it('leaves several foreign strategies alone', function () {
      expect(findManagedStrategy([foreign, other])).to.equal(undefined);
      expect(findManagedStrategy([])).to.equal(undefined);
    });
  });

  describe('environmentStatus', function () {
    it('reads back what enable() wrote', function () {
      const strategy = strategyFor('m', resolveMaintenanceWindow({ rollout: 40, title: 'T', message: 'M', retryAfter: 9, until: '1h', mode: 'pause', maxPause: '15s' }, NOW));
      const window = {
        rollout: 40,
        stickiness: 'remoteAddress',
        title: 'T',
        message: 'M',
        area: null,
        retryAfter: 9,
        until: '2030-01-01T13:00:00.000Z',
        ended: false,
        from: null,
        notice: null,
        mode: 'pause',
        maxPause: 15,
        state: 'on',
      };
      expect(environmentStatus('production', { name: 'production', enabled: true, strategies: [strategy] }, NOW)).to.deep.equal({
        environment: 'production',
        enabled: true,
        ...window,
        scopes: [{ scope: null, description: 'the whole site', ...window }],
      });
    });

    it('writes a window as DATE_AFTER and DATE_BEFORE on currentTime, and reads back scheduled, on and ended', function () {
      const strategy = strategyFor('m', resolveMaintenanceWindow({ from: '2h', until: '3h', notice: '30m' }, NOW));
      expect(strategy.constraints).to.deep.equal([
        { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2030-01-01T14:00:00.000Z', values: [], inverted: false, caseInsensitive: false },
        { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2030-01-01T15:00:00.000Z', values: [], inverted: false, caseInsensitive: false },
      ]);
      const at = (iso: string) => environmentStatus('p', { name: 'p', enabled: true, strategies: [strategy] }, new Date(iso));
      expect(at('2030-01-01T12:00:00Z')).to.include({ state: 'scheduled', from: '2030-01-01T14:00:00.000Z', notice: 1800, until: '2030-01-01T15:00:00.000Z' });
      expect(at('2030-01-01T14:00:00Z')).to.include({ state: 'on' });
      expect(at('2030-01-01T15:00:00Z')).to.include({ state: 'ended', ended: true });
      expect(environmentStatus('p', { name: 'p', enabled: false, strategies: [strategy] }, NOW)).to.include({ state: 'off' });
    });

    it('writes each combination of from and until as constraints, and the same times in the payload', function () {
      const written = (options: Parameters<typeof resolveMaintenanceWindow>[0]) => {
        const strategy = strategyFor('m', resolveMaintenanceWindow(options, NOW));
        const payload = strategy.variants?.[0]?.payload;
        return {
          constraints: strategy.constraints?.map(({ operator, value }) => `${operator} ${value}`),
          payload: payload ? JSON.parse(payload.value) : undefined,
        };
      };
      expect(written({})).to.deep.equal({ constraints: [], payload: undefined });
      expect(written({ until: '1h' })).to.deep.equal({
        constraints: ['DATE_BEFORE 2030-01-01T13:00:00.000Z'],
        payload: { until: '2030-01-01T13:00:00.000Z' },
      });
      // Open-ended: from alone, no notice given, so a day's notice is written beside it.
      expect(written({ from: '2030-01-01T20:00:00Z' })).to.deep.equal({
        constraints: ['DATE_AFTER 2030-01-01T20:00:00.000Z'],
        payload: { from: '2030-01-01T20:00:00.000Z', notice: 86_400 },
      });
      expect(written({ from: '1h', until: '2h', notice: '30m', message: 'M' })).to.deep.equal({
        constraints: ['DATE_AFTER 2030-01-01T13:00:00.000Z', 'DATE_BEFORE 2030-01-01T14:00:00.000Z'],
        payload: { message: 'M', from: '2030-01-01T13:00:00.000Z', until: '2030-01-01T14:00:00.000Z', notice: 1800 },
      });
    });

    it('reads a window typed in the Unleash UI: no notice in the payload means a day; the latest start and earliest end count', function () {
      const typed: AdminStrategy = {
        name: 'flexibleRollout',
        parameters: { rollout: '100', stickiness: 'default' },
        constraints: [
          { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2030-01-01T13:00:00Z' },
          { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2030-01-01T14:00:00Z' },
          { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2030-01-01T16:00:00Z' },
          { contextName: 'currentTime', operator: 'DATE_BEFORE', value: '2030-01-01T15:00:00Z', inverted: true },
        ],
      };
      expect(environmentStatus('p', { name: 'p', enabled: true, strategies: [typed] }, NOW)).to.include({
        state: 'scheduled',
        from: '2030-01-01T14:00:00.000Z',
        until: '2030-01-01T16:00:00.000Z',
        notice: 86_400,
      });
      expect(environmentStatus('p', { name: 'p', enabled: true, strategies: [{ ...typed, constraints: [] }] }, NOW)).to.include({
        state: 'on',
        from: null,
        notice: null,
      });
    });

    it('says when the window has ended', function () {
      const strategy = strategyFor('m', resolveMaintenanceWindow({ until: '1h' }, NOW));
      const later = new Date('2030-01-01T13:00:00.001Z');
      expect(environmentStatus('p', { name: 'p', enabled: true, strategies: [strategy] }, later)).to.include({ enabled: true, ended: true });
    });

    it('reads a string payload as the message and a default strategy as 100%', function () {
      const strategy: AdminStrategy = {
        name: 'default',
        variants: [{ name: 'v', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: 'Hi' } }],
      };
      expect(environmentStatus('p', { name: 'p', enabled: false, strategies: [strategy] }, NOW)).to.include({ rollout: 100, message: 'Hi', enabled: false });
    });

    it('ignores disabled strategies and unreadable payloads', function () {
      const disabled: AdminStrategy = { ...strategyFor('m', resolveMaintenanceWindow({ message: 'old' }, NOW)), disabled: true };
      const broken: AdminStrategy = {
        name: 'flexibleRollout',
        parameters: { rollout: '10' },
        variants: [{ name: 'v', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: '{oops' } }],
      };
      expect(environmentStatus('p', { name: 'p', enabled: true, strategies: [disabled, broken] }, NOW)).to.include({ rollout: 10, message: null });
    });
  });
});
