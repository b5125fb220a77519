import { expect } from 'chai';
import { Agent } from 'node:http';
import type { UnleashStack } from '../../dev/unleash/index.js';
import { startApp, type RunningApp } from './support/app.js';
import type { TestClient } from './support/client.js';
import { productionClientSeeing, uniqueFlagName } from './support/flags.js';
import { httpGet } from './support/http.js';
import { SERVER_START_TIMEOUT_MS, sharedUnleash } from './support/shared-unleash.js';

const SESSIONS = 1_000;
const ROLLOUT_PERCENT = 30;
const TOLERANCE_POINTS = 5;

describe('integration: gradual rollout by sessionId', function () {
  const flag = uniqueFlagName('rollout');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let stack: UnleashStack;
  let client: TestClient;
  let app: RunningApp;

  before(async function () {
    this.timeout(SERVER_START_TIMEOUT_MS);
    stack = await sharedUnleash();
    await stack.admin.createFlag(flag);
    await stack.admin.addStrategy(flag, 'production', {
      name: 'flexibleRollout',
      // A fixed groupId keeps the bucketing, and so the measured share, the same on every run.
      parameters: { rollout: String(ROLLOUT_PERCENT), stickiness: 'sessionId', groupId: 'maintenance-rollout' },
    });
    await stack.admin.setEnabled(flag, 'production', true);
    client = await productionClientSeeing(stack, flag);
    app = await startApp({
      unleash: client.unleash,
      flagName: flag,
      context: (ctx) => ({ sessionId: ctx.get('x-session-id') || undefined }),
    });
  });

  after(async function () {
    agent.destroy();
    await app?.close();
    client?.destroy();
    await stack?.admin.deleteFlag(flag);
  });

  async function statusFor(sessionId: string): Promise<number> {
    return (await httpGet(app.url, { agent, headers: { 'x-session-id': sessionId } })).status;
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
