import { expect } from 'chai';
import { resolveUntil } from '../../src/control/until.js';
import { ControlInputError } from '../../src/control/errors.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');

describe('control/until', function () {
  it('counts a duration from now, a bare number as seconds', function () {
    expect(resolveUntil('30m', NOW).toISOString()).to.equal('2030-01-01T12:30:00.000Z');
    expect(resolveUntil('3600', NOW).toISOString()).to.equal('2030-01-01T13:00:00.000Z');
    expect(resolveUntil(' 90s ', NOW).toISOString()).to.equal('2030-01-01T12:01:30.000Z');
  });

  it('accepts ISO 8601 times with and without a zone', function () {
    expect(resolveUntil('2030-01-01T14:00:00Z', NOW).toISOString()).to.equal('2030-01-01T14:00:00.000Z');
    expect(resolveUntil('2030-01-01T15:00+02:00', NOW).toISOString()).to.equal('2030-01-01T13:00:00.000Z');
    expect(resolveUntil('2030-01-02T00:00', NOW).getTime()).to.equal(new Date('2030-01-02T00:00').getTime());
  });

  it('accepts a Date', function () {
    const end = new Date('2030-01-01T13:00:00Z');
    expect(resolveUntil(end, NOW)).to.equal(end);
  });

  const refused: [string | Date, RegExp][] = [
    ['2029-12-31T00:00:00Z', /must lie in the future, got 2029-12-31T00:00:00.000Z/],
    ['2030-01-01T12:00:00Z', /must lie in the future/],
    ['2030-01-01', /must be an ISO 8601 time/],
    ['tomorrow', /must be an ISO 8601 time .* got "tomorrow"/],
    ['2030-13-45T99:00Z', /must be an ISO 8601 time/],
    ['5 m', /must be an ISO 8601 time .* or a duration from now \(seconds, or 90s, 30m, 2h, 1d\), got "5 m"/],
    ['0', /must lie in the future/],
    [new Date(Number.NaN), /must be a valid Date/],
  ];
  for (const [until, message] of refused) {
    it(`refuses ${String(until)}`, function () {
      expect(() => resolveUntil(until, NOW)).to.throw(ControlInputError, message);
    });
  }

  it('names the option in the error', function () {
    expect(() => resolveUntil('never', NOW, 'until')).to.throw(ControlInputError).with.property('option', 'until');
  });
});
