import { expect } from 'chai';
import { resolveUntil } from '../../src/control/until.js';
import { millisecondsOfText } from '../../src/flag/duration.js';
import { ControlInputError } from '../../src/control/errors.js';

const NOW = new Date('2030-01-01T12:00:00.000Z');

describe('control/until and command-line durations', function () {
  const durations: [string, number | undefined][] = [
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 5m ', 300_000],
    ['5', undefined],
    ['5 m', undefined],
    ['1.5h', undefined],
    ['-5m', undefined],
    ['5w', undefined],
  ];
  for (const [text, ms] of durations) {
    it(`reads "${text}" as ${ms ?? 'no duration'}`, function () {
      expect(millisecondsOfText(text)).to.equal(ms);
    });
  }

  it('counts a duration from now', function () {
    expect(resolveUntil('30m', NOW).toISOString()).to.equal('2030-01-01T12:30:00.000Z');
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
