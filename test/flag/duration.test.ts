import { expect } from 'chai';
import { optionSeconds, secondsOf } from '../../src/flag/duration.js';

// The one duration grammar (docs/command.md#durations): the middleware's options and every command flag read it.
describe('duration', function () {
  const grammar: [unknown, number | undefined][] = [
    [90, 90],
    [0, 0],
    ['90', 90],
    ['3600', 3600],
    ['0', 0],
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['1d', 86_400],
    [' 5m ', 300],
    ['999999999d', 999_999_999 * 86_400],
    ['5 m', undefined],
    ['24 h', undefined],
    ['1.5h', undefined],
    ['1.5', undefined],
    [1.5, undefined],
    ['-5m', undefined],
    ['-5', undefined],
    ['+5', undefined],
    ['5w', undefined],
    ['5M', undefined],
    ['1h30m', undefined],
    ['1000000000', undefined],
    ['', undefined],
    ['m', undefined],
    [null, undefined],
    [Number.NaN, undefined],
  ];
  for (const [value, seconds] of grammar) {
    it(`reads ${JSON.stringify(value) ?? String(value)} as ${seconds ?? 'no duration'}`, function () {
      expect(secondsOf(value)).to.equal(seconds);
    });
  }

  it('reads an option the same way: a bare number in a string is seconds, a space inside is refused', function () {
    expect(optionSeconds('refresh', '3600')).to.equal(3600);
    expect(optionSeconds('refresh', 60)).to.equal(60);
    expect(() => optionSeconds('refresh', '5 m')).to.throw(TypeError, /refresh "5 m" is not a duration/);
    expect(() => optionSeconds('refresh', '0')).to.throw(TypeError, /is not a duration: whole seconds \(1 or more\)/);
  });
});
