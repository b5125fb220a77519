import { expect } from 'chai';
import { Agent } from 'node:http';
import { useFlagApp } from './support/flag-app.js';
import { uniqueFlagName } from './support/flags.js';
import { httpGet } from './support/http.js';

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
