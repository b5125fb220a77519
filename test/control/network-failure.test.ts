import { expect } from 'chai';
import { describeNetworkFailure } from '../../src/control/network-failure.js';

function fetchFailure(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe('control/network-failure', function () {
  const cases: [string, unknown, string][] = [
    ['a refused connection', fetchFailure(socketError('ECONNREFUSED')), 'connection refused'],
    ['an unknown host', fetchFailure(socketError('ENOTFOUND')), 'host not found'],
    ['refusals on every address tried', fetchFailure(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')])), 'connection refused'],
    ['an aggregate that carries the code itself', fetchFailure(Object.assign(new AggregateError([]), { code: 'ECONNREFUSED' })), 'connection refused'],
    ['the request deadline', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'no answer within 250 ms'],
    ['an unknown cause', fetchFailure(new Error('other side hung up')), 'other side hung up'],
    ['no cause at all', new Error('fetch failed'), 'fetch failed'],
  ];
  for (const [what, error, words] of cases) {
    it(`describes ${what} as "${words}"`, function () {
      expect(describeNetworkFailure(error, 250)).to.equal(words);
    });
  }
});
