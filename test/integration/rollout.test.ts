import { expect } from 'chai';
import { Agent } from 'node:http';
import { useFlagApp } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { httpGet } from '../support/http.js';

const SESSIONS = 1_000;
const ROLLOUT_PERCENT = 30;
const TOLERANCE_POINTS = 5;

describe('integration: gradual rollout by sessionId', function () {
  const flag = uniqueFlagName('rollout');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const fixture = useFlagApp({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      await stack.admin.addStrategy(flag, 'production', {
        name: 'flexibleRollout',
        // A fixed groupId keeps the bucketing, and so the measured share, the same on every run.
        parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: 'sessionId', groupId: 'maintenance-rollout' },
      });
      await stack.admin.setEnabled(flag, 'production', true);
    },
    app: {
      flagName: flag,
      context: (ctx) => ({ sessionId: ctx.get('x-session-id') || undefined }),
    },
    tearDown: () => agent.destroy(),
  });

  async function statusFor(sessionId: string): Promise<number> {
    return (await httpGet(fixture.app.url, { agent, headers: { 'x-session-id': sessionId } })).status;
  }

  async function statusesFor(sessionIds: string[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const id of sessionIds) statuses.push(await statusFor(id));
    return statuses;
  }

  it(`blocks ${ROLLOUT_PERCENT}% ± ${TOLERANCE_POINTS} of ${SESSIONS} sessions, each one consistently`, async function () {
    this.timeout(60_000);
    const sessionIds = Array.from({ length: SESSIONS }, (_, i) => `session-${i}`);

    const first = await statusesFor(sessionIds);
    const blockedPercent = (first.filter((status) => status === 503).length / SESSIONS) * 100;
    console.log(`      blocked share: ${blockedPercent.toFixed(1)}% of ${SESSIONS} sessions`);
    expect(first.every((status) => status === 503 || status === 200)).to.equal(true);
    expect(blockedPercent).to.be.within(ROLLOUT_PERCENT - TOLERANCE_POINTS, ROLLOUT_PERCENT + TOLERANCE_POINTS);

    const second = await statusesFor(sessionIds);
    const changed = sessionIds.filter((_, i) => first[i] !== second[i]);
    expect(changed, 'sessions whose answer changed').to.deep.equal([]);
  });
});

/**
 * What `unleash-maintenance on --rollout 30` writes without --stickiness: remoteAddress, which the middleware
 * fills with the resolved client IP, so a visitor keeps one answer with nothing added to the app. The contrast:
 * stickiness default, for requests without userId or sessionId, is a new coin toss on every request.
 */
describe('integration: gradual rollout by visitor address, with no app changes', function () {
  const VISITORS = Array.from({ length: 40 }, (_, i) => `127.0.1.${i + 1}`);
  const REQUESTS_EACH = 6;

  async function answersByVisitor(url: string): Promise<number[][]> {
    const answers: number[][] = [];
    for (const localAddress of VISITORS) {
      const statuses: number[] = [];
      for (let i = 0; i < REQUESTS_EACH; i += 1) statuses.push((await httpGet(url, { localAddress })).status);
      answers.push(statuses);
    }
    return answers;
  }

  function rolloutFlag(stickiness: string) {
    const flag = uniqueFlagName(`rollout-${stickiness}`);
    return useFlagApp({
      flag,
      async setUp(stack) {
        await stack.admin.createFlag(flag);
        await stack.admin.addStrategy(flag, 'production', {
          name: 'flexibleRollout',
          parameters: { rollout: String(ROLLOUT_PERCENT), stickiness, groupId: 'maintenance-visitors' },
        });
        await stack.admin.setEnabled(flag, 'production', true);
      },
      clientSees: 'flag-enabled',
      app: { flagName: flag, logger: { warn() {}, error() {} } },
    });
  }

  const byAddress = rolloutFlag('remoteAddress');
  const byCoinToss = rolloutFlag('default');

  it('gives each visitor address one answer across requests, and blocks about the rollout share of 40', async function () {
    this.timeout(60_000);
    const answers = await answersByVisitor(byAddress.app.url);
    const flipping = VISITORS.filter((_, i) => new Set(answers[i]).size > 1);
    expect(flipping, 'visitors who saw both the page and the site').to.deep.equal([]);
    const blocked = answers.filter((statuses) => statuses[0] === 503).length;
    console.log(`      blocked: ${blocked} of ${VISITORS.length} visitor addresses`);
    expect(blocked).to.be.within(4, 20); // 30% of 40 is 12; the bucketing is fixed by groupId and the addresses
  });

  it('flips visitors between the page and the site with stickiness default (the old default)', async function () {
    this.timeout(60_000);
    const answers = await answersByVisitor(byCoinToss.app.url);
    const flipping = answers.filter((statuses) => new Set(statuses).size > 1).length;
    expect(flipping, 'visitors who saw both').to.be.above(VISITORS.length / 2);
  });
});
