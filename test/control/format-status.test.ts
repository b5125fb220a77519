import { expect } from 'chai';
import { formatEnvironments, timeUntil } from '../../src/cli/format-status.js';
import type { EnvironmentStatus } from '../../src/control/index.js';

const NOW = new Date('2026-12-03T19:50:00.000Z');

function status(overrides: Partial<EnvironmentStatus>): EnvironmentStatus {
  return {
    environment: 'production', enabled: true, rollout: 100, stickiness: 'remoteAddress', title: null, message: null,
    retryAfter: null, until: null, ended: false, from: null, notice: null, state: 'on', ...overrides,
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

  it('counts the time to go in days, hours and minutes', function () {
    const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    expect([0.5, 45, 60, 130, 1440, 1500].map((minutes) => timeUntil(later(minutes), NOW))).to.deep.equal([
      'less than a minute', '45 min', '1 h', '2 h 10 min', '1 d', '1 d 1 h',
    ]);
  });
});
