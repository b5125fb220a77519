import { expect } from 'chai';
import { ControlInputError } from '../../src/control/errors.js';
import { resolveMaintenanceWindow } from '../../src/control/maintenance-window.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');

describe('control/maintenance-window', function () {
  it('defaults to everyone, stickiness by client address and no payload', function () {
    expect(resolveMaintenanceWindow({}, NOW)).to.deep.equal({ rollout: 100, stickiness: 'remoteAddress', payload: {} });
  });

  it('puts the fields the middleware reads into the payload', function () {
    const window = resolveMaintenanceWindow(
      { rollout: 25, stickiness: 'userId', title: ' Upgrade ', message: 'Back soon', retryAfter: 120, until: '2h' },
      NOW,
    );
    expect(window).to.deep.equal({
      rollout: 25,
      stickiness: 'userId',
      payload: { title: 'Upgrade', message: 'Back soon', retryAfter: 120, until: '2030-01-01T14:00:00.000Z' },
    });
  });

  it('schedules a window: from and until as times, notice in seconds, a day by default', function () {
    expect(resolveMaintenanceWindow({ from: '30m', until: '2030-01-01T14:00:00Z' }, NOW).payload).to.deep.equal({
      from: '2030-01-01T12:30:00.000Z',
      until: '2030-01-01T14:00:00.000Z',
      notice: 86_400,
    });
    expect(resolveMaintenanceWindow({ from: new Date('2030-01-02T00:00:00Z'), notice: '2h' }, NOW).payload).to.deep.equal({ from: '2030-01-02T00:00:00.000Z', notice: 7200 });
    expect(resolveMaintenanceWindow({ from: '1h', notice: 0 }, NOW).payload).to.include({ notice: 0 });
    // A start already past is allowed: the window opens at once (and still ends by itself).
    expect(resolveMaintenanceWindow({ from: '2029-12-31T00:00:00Z', until: '1h' }, NOW).payload).to.include({ from: '2029-12-31T00:00:00.000Z' });
  });

  const refused: [Parameters<typeof resolveMaintenanceWindow>[0], string, RegExp][] = [
    [{ rollout: 101 }, 'rollout', /whole percentage from 0 to 100, got 101/],
    [{ rollout: -1 }, 'rollout', /got -1/],
    [{ rollout: 12.5 }, 'rollout', /got 12.5/],
    [{ retryAfter: -5 }, 'retryAfter', /whole number of seconds/],
    [{ retryAfter: 1.5 }, 'retryAfter', /whole number of seconds/],
    [{ message: '  ' }, 'message', /must not be empty/],
    [{ message: 'x'.repeat(2001) }, 'message', /at most 2000 characters/],
    [{ title: 'x'.repeat(201) }, 'title', /at most 200 characters/],
    [{ stickiness: 'user id' }, 'stickiness', /context field name, got "user id"/],
    [{ until: '2020-01-01T00:00:00Z' }, 'until', /in the future/],
    [{ until: '2030-01-01T12:00:00Z' }, 'until', /in the future/],
    [{ from: '2h', until: '1h' }, 'from', /must lie before until, got 2030-01-01T14:00:00.000Z \(until is 2030-01-01T13:00:00.000Z\)/],
    [{ from: '1h', until: '1h' }, 'from', /must lie before until/],
    [{ from: 'tonight' }, 'from', /ISO 8601 time .* or a duration/],
    [{ from: '1h', notice: '-5m' }, 'notice', /a duration such as 30m/],
    [{ from: '1h', notice: 1.5 }, 'notice', /whole seconds, got 1.5/],
    [{ notice: '1h' }, 'notice', /only applies with from/],
  ];
  for (const [options, option, message] of refused) {
    it(`refuses ${JSON.stringify(options).slice(0, 60)}`, function () {
      expect(() => resolveMaintenanceWindow(options, NOW))
        .to.throw(ControlInputError, message)
        .with.property('option', option);
    });
  }
});
