import { expect } from 'chai';
import { ControlInputError } from '../../src/control/errors.js';
import { resolveMaintenanceWindow } from '../../src/control/maintenance-window.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');

describe('control/maintenance-window', function () {
  it('defaults to everyone, default stickiness and no payload', function () {
    expect(resolveMaintenanceWindow({}, NOW)).to.deep.equal({ rollout: 100, stickiness: 'default', payload: {} });
  });

  it('sticks a partial rollout to the client address unless told; 0 % and 100 % keep default', function () {
    const stickiness = (options: Parameters<typeof resolveMaintenanceWindow>[0]) => resolveMaintenanceWindow(options, NOW).stickiness;
    expect([1, 30, 99].map((rollout) => stickiness({ rollout }))).to.deep.equal(['remoteAddress', 'remoteAddress', 'remoteAddress']);
    // remoteAddress at 100 % would leave out every request without an address (flexibleRollout answers false).
    expect([0, 100].map((rollout) => stickiness({ rollout }))).to.deep.equal(['default', 'default']);
    expect(stickiness({ rollout: 30, stickiness: 'sessionId' })).to.equal('sessionId');
    expect(stickiness({ rollout: 100, stickiness: 'remoteAddress' })).to.equal('remoteAddress');
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

  it('takes the clock edges: a start right now, an end a millisecond ahead, a notice of 0', function () {
    expect(resolveMaintenanceWindow({ from: NOW }, NOW).payload).to.deep.equal({ from: '2030-01-01T12:00:00.000Z', notice: 86_400 });
    expect(resolveMaintenanceWindow({ from: '2030-01-01T12:00:00Z', until: new Date(NOW.getTime() + 1) }, NOW).payload).to.deep.equal({
      from: '2030-01-01T12:00:00.000Z',
      until: '2030-01-01T12:00:00.001Z',
      notice: 86_400,
    });
    expect(resolveMaintenanceWindow({ from: '1h', notice: '0s' }, NOW).payload).to.include({ notice: 0 });
    expect(resolveMaintenanceWindow({ from: '1h', notice: '1d' }, NOW).payload).to.include({ notice: 86_400 });
  });

  it('reads from, until and notice in the one duration grammar: a bare number is seconds', function () {
    expect(resolveMaintenanceWindow({ from: '3600', until: '7200', notice: '1800' }, NOW).payload).to.deep.equal({
      from: '2030-01-01T13:00:00.000Z',
      until: '2030-01-01T14:00:00.000Z',
      notice: 1800,
    });
    expect(resolveMaintenanceWindow({ from: '1h', notice: '0' }, NOW).payload).to.include({ notice: 0 });
  });

  it('writes the mode, and a pause\'s bound in seconds, into the payload; no mode leaves it to each app', function () {
    expect(resolveMaintenanceWindow({ mode: 'pause', maxPause: '15s' }, NOW).payload).to.deep.equal({ mode: 'pause', maxPause: 15 });
    expect(resolveMaintenanceWindow({ mode: 'pause', maxPause: 60 }, NOW).payload).to.deep.equal({ mode: 'pause', maxPause: 60 });
    expect(resolveMaintenanceWindow({ mode: 'pause' }, NOW).payload).to.deep.equal({ mode: 'pause' });
    expect(resolveMaintenanceWindow({ mode: 'read-only' }, NOW).payload).to.deep.equal({ mode: 'read-only' });
    expect(resolveMaintenanceWindow({ mode: 'block' }, NOW).payload).to.deep.equal({ mode: 'block' });
    expect(resolveMaintenanceWindow({}, NOW).payload).to.deep.equal({});
  });

  it('names notice when only the notice is wrong', function () {
    expect(() => resolveMaintenanceWindow({ from: '1h', until: '2h', notice: '24 h' }, NOW))
      .to.throw(ControlInputError, 'notice must be a duration such as 30m, 24h or 7d, or a number of whole seconds, got "24 h"')
      .with.property('option', 'notice');
  });

  const refused: [Parameters<typeof resolveMaintenanceWindow>[0], string, RegExp][] = [
    [{ rollout: 101 }, 'rollout', /whole percentage from 0 to 100, got 101/],
    [{ rollout: -1 }, 'rollout', /got -1/],
    [{ rollout: 12.5 }, 'rollout', /got 12.5/],
    [{ from: '1h', notice: '31d' }, 'notice', /at most 30d \(apps ignore a longer notice\), got "31d"/],
    [{ from: '1h', notice: 315_360_000 }, 'notice', /at most 30d/],
    [{ retryAfter: -5 }, 'retryAfter', /whole number of seconds/],
    [{ retryAfter: 1.5 }, 'retryAfter', /whole number of seconds/],
    [{ message: '  ' }, 'message', /must not be empty/],
    [{ message: 'x'.repeat(2001) }, 'message', /at most 2000 characters/],
    [{ title: 'x'.repeat(201) }, 'title', /at most 200 characters/],
    [{ stickiness: 'user id' }, 'stickiness', /context field name, got "user id"/],
    [{ until: '2020-01-01T00:00:00Z' }, 'until', /in the future/],
    [{ until: '2030-01-01T12:00:00Z' }, 'until', /in the future/],
    [{ until: NOW }, 'until', /must lie in the future, got 2030-01-01T12:00:00.000Z \(now is 2030-01-01T12:00:00.000Z\)/],
    [{ until: 'tomorrow' }, 'until', /ISO 8601 time .* got "tomorrow"/],
    [{ from: new Date(Number.NaN) }, 'from', /must be a valid Date/],
    [{ from: NOW, until: NOW }, 'until', /in the future/],
    [{ from: '2030-01-01', until: '1h' }, 'from', /ISO 8601 time/],
    [{ from: '1h', notice: '1 h' }, 'notice', /or a number of whole seconds, got "1 h"/],
    [{ from: '1h', notice: -1 }, 'notice', /got -1/],
    [{ from: '2h', until: '1h' }, 'from', /must lie before until, got 2030-01-01T14:00:00.000Z \(until is 2030-01-01T13:00:00.000Z\)/],
    [{ from: '1h', until: '1h' }, 'from', /must lie before until/],
    [{ from: 'tonight' }, 'from', /ISO 8601 time .* or a duration/],
    [{ from: '1h', notice: '-5m' }, 'notice', /a duration such as 30m/],
    [{ from: '1h', notice: 1.5 }, 'notice', /whole seconds, got 1.5/],
    [{ notice: '1h' }, 'notice', /only applies with from/],
    [{ mode: 'readonly' as never }, 'mode', /must be block, read-only or pause, got "readonly"/],
    [{ maxPause: '15s' }, 'maxPause', /only applies with mode pause/],
    [{ mode: 'block', maxPause: '15s' }, 'maxPause', /only applies with mode pause/],
    [{ mode: 'pause', maxPause: '2m' }, 'maxPause', /from 1s to 60s, such as 15s or 30, got "2m"/],
    [{ mode: 'pause', maxPause: 0 }, 'maxPause', /from 1s to 60s/],
    [{ mode: 'pause', maxPause: '1.5s' }, 'maxPause', /from 1s to 60s/],
  ];
  for (const [options, option, message] of refused) {
    it(`refuses ${JSON.stringify(options).slice(0, 60)}`, function () {
      expect(() => resolveMaintenanceWindow(options, NOW))
        .to.throw(ControlInputError, message)
        .with.property('option', option);
    });
  }
});
