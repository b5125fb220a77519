import { expect } from 'chai';
import { formatEnvironments, formatFlagStatus, timeUntil } from '../../src/cli/format-status.js';
import type { EnvironmentStatus } from '../../src/control/index.js';

const NOW = new Date('2026-12-03T19:50:00.000Z');

function status(overrides: Partial<EnvironmentStatus>): EnvironmentStatus {
  return {
    environment: 'production', enabled: true, rollout: 100, stickiness: 'remoteAddress', title: null, message: null, area: null,
    retryAfter: null, until: null, ended: false, from: null, notice: null, mode: null, maxPause: null, state: 'on', scopes: [], ...overrides,
  };
}

describe('cli/format-status', function () {
  it('says off, scheduled (start, time to go, announcement), on (until) and ended, one line each', function () {
    const lines = formatEnvironments([
      status({ environment: 'development', enabled: false, state: 'off', rollout: null, stickiness: null }),
      status({ environment: 'staging', state: 'scheduled', from: '2026-12-03T22:00:00.000Z', notice: 86_400, until: '2026-12-03T23:00:00.000Z' }),
      status({ environment: 'production', until: '2026-12-03T23:00:00.000Z' }),
      status({ environment: 'eu', state: 'ended', ended: true, until: '2026-12-03T19:00:00.000Z' }),
    ], NOW).split('\n');
    expect(lines).to.deep.equal([
      '  development  off',
      '  staging      scheduled (starts at 2026-12-03T22:00:00.000Z, in 2 h 10 min; announced from 2026-12-02T22:00:00.000Z)  100% (stickiness remoteAddress)  until 2026-12-03T23:00:00.000Z',
      '  production   on (until 2026-12-03T23:00:00.000Z)  100% (stickiness remoteAddress)',
      '  eu           ended (the window is over but the switch is still on: "off" tidies it)  100% (stickiness remoteAddress)  until 2026-12-03T19:00:00.000Z',
    ]);
  });

  it('shows the mode the window sets, and a pause\'s bound', function () {
    const lines = formatEnvironments([
      status({ environment: 'production', mode: 'pause', maxPause: 15 }),
      status({ environment: 'staging', mode: 'read-only' }),
    ], NOW).split('\n');
    expect(lines).to.deep.equal([
      '  production  on  100% (stickiness remoteAddress)  mode pause (max pause 15 s)',
      '  staging     on  100% (stickiness remoteAddress)  mode read-only',
    ]);
  });

  it('counts the time to go in days, hours and minutes', function () {
    const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    expect([0.5, 45, 60, 130, 1440, 1500].map((minutes) => timeUntil(later(minutes), NOW))).to.deep.equal([
      'less than a minute', '45 min', '1 h', '2 h 10 min', '1 d', '1 d 1 h',
    ]);
  });

  it('rounds to the nearest minute: "on --from 1h" read back a moment later still says 1 h', function () {
    const later = (ms: number) => new Date(NOW.getTime() + ms);
    expect([59_999, 60_000, 89_999, 90_000, 3_600_000 - 1_500, 7_800_000 + 29_000].map((ms) => timeUntil(later(ms), NOW))).to.deep.equal([
      'less than a minute', '1 min', '1 min', '2 min', '1 h', '2 h 10 min',
    ]);
  });

  it('shows the stored window of a switch that is off, and a scheduled window with no notice announced at its start', function () {
    const lines = formatEnvironments([
      status({ enabled: false, state: 'off', from: '2026-12-03T22:00:00.000Z', notice: 3600, until: '2026-12-03T23:00:00.000Z', message: 'M' }),
      status({ environment: 'staging', state: 'scheduled', from: '2026-12-03T22:00:00.000Z', notice: 0, rollout: 30, stickiness: 'remoteAddress' }),
    ], NOW).split('\n');
    expect(lines).to.deep.equal([
      '  production  off  (stored for next time: 100% (stickiness remoteAddress)  from 2026-12-03T22:00:00.000Z  until 2026-12-03T23:00:00.000Z  message "M")',
      '  staging     scheduled (starts at 2026-12-03T22:00:00.000Z, in 2 h 10 min; announced from 2026-12-03T22:00:00.000Z)  30% (stickiness remoteAddress)',
    ]);
  });

  it('formats a whole flag with the clock it is given', function () {
    const text = formatFlagStatus(
      { project: 'default', flag: 'maintenance-mode', exists: true, environments: [status({ state: 'scheduled', from: '2026-12-03T20:20:00.000Z', notice: 1800 })] },
      NOW,
    );
    expect(text).to.equal(
      'Flag "maintenance-mode" in project "default":\n  production  scheduled (starts at 2026-12-03T20:20:00.000Z, in 30 min; announced from 2026-12-03T19:50:00.000Z)  100% (stickiness remoteAddress)',
    );
  });
});
