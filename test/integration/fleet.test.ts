import { expect } from 'chai';
import { useSharedFlag } from '../support/flag-app.js';
import { uniqueFlagName } from '../support/flags.js';
import { httpGet } from '../support/http.js';
import { startFleetMember, type FleetMember } from '../support/fleet.js';
import { PROPAGATION_BUDGET_MS, timeUntilStatus } from '../support/flip-timer.js';

const FLEET_SIZE = 3;

describe('integration: a fleet of app processes', function () {
  const flag = uniqueFlagName('fleet');
  let fleet: FleetMember[] = [];
  const fixture = useSharedFlag({
    flag,
    async setUp(stack) {
      await stack.admin.createFlag(flag);
      const starting = Array.from({ length: FLEET_SIZE }, () =>
        startFleetMember({ unleashUrl: stack.url, token: stack.tokens.production, flagName: flag }),
      );
      const results = await Promise.allSettled(starting);
      fleet = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
    tearDown: async () => {
      await Promise.all(fleet.map((member) => member.stop()));
    },
  });

  async function flipTimes(status: number, since: number): Promise<number[]> {
    return Promise.all(fleet.map((member) => timeUntilStatus(member.url, status, since)));
  }

  it(`flips all ${FLEET_SIZE} processes within 2 s of one toggle`, async function () {
    this.timeout(15_000);
    const { stack } = fixture;
    for (const member of fleet) expect((await httpGet(member.url)).status).to.equal(200);

    let since = Date.now();
    await stack.admin.setEnabled(flag, 'production', true);
    const onTimes = await flipTimes(503, since);

    since = Date.now();
    await stack.admin.setEnabled(flag, 'production', false);
    const offTimes = await flipTimes(200, since);

    console.log(`      fleet propagation: on [${onTimes.join(', ')}] ms, off [${offTimes.join(', ')}] ms`);
    expect(Math.max(...onTimes, ...offTimes)).to.be.at.most(PROPAGATION_BUDGET_MS);
  });
});
