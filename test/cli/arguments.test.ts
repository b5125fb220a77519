import { expect } from 'chai';
import { parseCliArguments, UsageError } from '../../src/cli/arguments.js';
import { createRedactor, secretsIn } from '../../src/cli/redact.js';

const ENV = { UNLEASH_URL: 'http://127.0.0.1:4242', UNLEASH_ADMIN_TOKEN: '*:*.admin-secret' };

describe('cli/arguments', function () {
  it('reads a full "on" with the connection from the environment', function () {
    const request = parseCliArguments(
      ['on', '-e', 'production', '--environment', 'staging', '--rollout', '30', '--stickiness', 'userId', '--title', 'T', '--message', 'M', '--retry-after', '120', '--until', '30m', '--project', 'web', '--flag', 'site-down', '--json'],
      ENV,
    );
    expect(request).to.deep.equal({
      kind: 'run',
      command: 'on',
      connection: { url: ENV.UNLEASH_URL, token: ENV.UNLEASH_ADMIN_TOKEN, project: 'web', flag: 'site-down' },
      environments: ['production', 'staging'],
      enable: { rollout: 30, stickiness: 'userId', title: 'T', message: 'M', retryAfter: 120, until: '30m' },
      wait: undefined,
      json: true,
    });
  });

  it('reads --mode and --max-pause as given, for MaintenanceControl to check', function () {
    expect(parseCliArguments(['on', '-e', 'p', '--mode', 'pause', '--max-pause', '15s'], ENV)).to.have.deep.property('enable', { mode: 'pause', maxPause: '15s' });
    expect(parseCliArguments(['on', '-e', 'p', '--mode', 'read-only'], ENV)).to.have.deep.property('enable', { mode: 'read-only' });
    expect(() => parseCliArguments(['on', '-e', 'p', '--max-pause', '15s'], ENV)).to.throw(/^--max-pause only applies with --mode$/);
    expect(() => parseCliArguments(['off', '-e', 'p', '--mode', 'pause'], ENV)).to.throw(/--mode does not apply to "off"/);
  });

  it('reads a scheduled window: --from, --until and --notice as given, for MaintenanceControl to read as durations', function () {
    const window = parseCliArguments(['on', '-e', 'production', '--from', '2030-01-01T22:00Z', '--until', '2h', '--notice', '30m'], ENV);
    expect(window).to.have.deep.property('enable', { from: '2030-01-01T22:00Z', until: '2h', notice: '30m' });
    expect(parseCliArguments(['on', '-e', 'p', '--from', '3600', '--notice', '3600'], ENV)).to.have.deep.property('enable', { from: '3600', notice: '3600' });
    expect(parseCliArguments(['on', '-e', 'p', '--from', '1h', '--notice=0'], ENV)).to.have.deep.property('enable', { from: '1h', notice: '0' });
    // Times and durations are read by MaintenanceControl, which refuses them before any request.
    expect(parseCliArguments(['on', '-e', 'p', '--from', 'tonight', '--notice', 'soon'], ENV)).to.have.deep.property('enable', { from: 'tonight', notice: 'soon' });
  });

  it('reads a scope: repeated --path and --host as alternatives, --property name=value per name, for on and off', function () {
    const on = parseCliArguments(['on', '-e', 'p', '--path', '/checkout', '--path', '/cart', '--host', 'shop.example.com', '--property', 'tenant=acme', '--property', 'tenant=globex', '--property', 'plan=a=b', '--area', 'Checkout'], ENV);
    expect(on).to.have.deep.property('scope', { paths: ['/checkout', '/cart'], hosts: ['shop.example.com'], properties: { tenant: ['acme', 'globex'], plan: ['a=b'] } });
    expect(on).to.have.deep.property('enable', { area: 'Checkout' });
    expect(parseCliArguments(['off', '-e', 'p', '--path', '/checkout'], ENV)).to.have.deep.property('scope', { paths: ['/checkout'] });
    expect(parseCliArguments(['off', '-e', 'p'], ENV)).not.to.have.property('scope');
  });

  it('refuses a --property that is not name=value, and scopes for status', function () {
    for (const pair of ['tenant', '=acme', 'tenant=']) {
      expect(() => parseCliArguments(['on', '-e', 'p', '--property', pair], ENV), pair).to.throw(UsageError, `--property must be name=value, such as tenant=acme, got "${pair}"`);
    }
    expect(() => parseCliArguments(['status', '--path', '/checkout'], ENV)).to.throw(UsageError, '--path does not apply to "status"');
  });

  it('prefers --url and --token over the environment', function () {
    const request = parseCliArguments(['status', '--url', 'http://u', '--token', 'tok'], ENV);
    expect(request).to.include({ kind: 'run', command: 'status' }).and.to.have.deep.property('connection', { url: 'http://u', token: 'tok' });
  });

  it('reads --wait with client tokens from options or UNLEASH_API_TOKEN, and --timeout in seconds or as a duration', function () {
    const fromOptions = parseCliArguments(['off', '-e', 'p', '--wait', '--client-token', 'a1234', '--client-token', 'b1234', '--timeout', '2m'], ENV);
    expect(fromOptions).to.have.deep.property('wait', { clientTokens: ['a1234', 'b1234'], timeoutMs: 120_000 });
    const fromEnv = parseCliArguments(['off', '-e', 'p', '--wait', '--timeout', '5'], { ...ENV, UNLEASH_API_TOKEN: 'c1234' });
    expect(fromEnv).to.have.deep.property('wait', { clientTokens: ['c1234'], timeoutMs: 5_000 });
  });

  it('reads --retry-after as a duration, sent in whole seconds', function () {
    expect(parseCliArguments(['on', '-e', 'p', '--retry-after', '120'], ENV)).to.have.deep.property('enable', { retryAfter: 120 });
    expect(parseCliArguments(['on', '-e', 'p', '--retry-after', '5m'], ENV)).to.have.deep.property('enable', { retryAfter: 300 });
  });

  it('answers --help for the command and each subcommand', function () {
    expect(parseCliArguments(['--help'], {})).to.deep.equal({ kind: 'help', command: undefined });
    expect(parseCliArguments(['help', 'off'], {})).to.deep.equal({ kind: 'help', command: 'off' });
    expect(parseCliArguments(['on', '-h'], {})).to.deep.equal({ kind: 'help', command: 'on' });
    // Help needs no connection settings and ignores the rest.
    expect(parseCliArguments(['status', '--help', '--rollout', 'x'], {})).to.deep.equal({ kind: 'help', command: 'status' });
  });

  const usageErrors: [string[], RegExp][] = [
    [[], /a command is required/],
    [['restart'], /unknown command "restart"/],
    [['on'], /--environment is required for "on"/],
    [['off', '--url', 'http://u'], /--environment is required for "off"/],
    [['status', 'extra'], /unexpected argument "extra"/],
    [['status', '--rollout', '5'], /--rollout does not apply to "status"/],
    [['off', '-e', 'p', '--message', 'x'], /--message does not apply to "off"/],
    [['on', '-e', 'p', '--rollout', 'half'], /--rollout must be a whole percentage from 0 to 100, got "half"/],
    [['on', '-e', 'p', '--retry-after', '1.5'], /--retry-after must be a duration: whole seconds or a number with a unit, like 120 or 2m, got "1.5"/],
    [['on', '-e', 'p', '--retry-after', '5 m'], /--retry-after must be a duration: .*, got "5 m"/],
    [['on', '-e', 'p', '--wait', '--client-token', 'abcd', '--timeout', '2 m'], /--timeout must be a positive number of seconds/],
    [['on', '-e', 'p', '--timeout', '5'], /--timeout only applies with --wait/],
    [['on', '-e', 'p', '--notice', '1h'], /^--notice only applies with --from$/],
    [['on', '-e', 'p', '--until', '2h', '--notice', '1h'], /^--notice only applies with --from$/],
    [['off', '-e', 'p', '--from', '1h'], /--from does not apply to "off"/],
    [['status', '--notice', '1h'], /--notice does not apply to "status"/],
    [['on', '-e', 'p', '--from'], /option '--from <value>' argument missing/],
    [['on', '-e', 'p', '--client-token', 'x'], /--client-token only applies with --wait/],
    [['on', '-e', 'p', '--wait'], /--wait needs a backend \(client\) token/],
    [['on', '-e', 'p', '--wait', '--client-token', 'abcd', '--timeout', 'soon'], /--timeout must be a positive number of seconds/],
    [['on', '--bogus'], /unknown option '--bogus'$/],
    [['status', '--json=yes'], /option '--json' does not take an argument/],
  ];
  for (const [argv, message] of usageErrors) {
    it(`refuses ${JSON.stringify(argv)}`, function () {
      expect(() => parseCliArguments(argv, ENV)).to.throw(UsageError, message);
    });
  }

  it('asks for the connection when neither options nor environment give it', function () {
    expect(() => parseCliArguments(['status'], {})).to.throw(UsageError, /--url is required \(or set UNLEASH_URL\)/);
    expect(() => parseCliArguments(['status', '--url', 'http://u'], {})).to.throw(UsageError, /--token is required \(or set UNLEASH_ADMIN_TOKEN\)/);
  });
});

describe('cli/redact', function () {
  it('finds tokens in options, option=value forms and the environment, even in argv that does not parse', function () {
    const argv = ['on', '--token', 'admin-1', '--client-token=client-2', '--bogus', '--client-token', 'client-3'];
    expect(secretsIn(argv, { UNLEASH_ADMIN_TOKEN: 'env-admin', UNLEASH_API_TOKEN: 'env-client', OTHER: 'visible' })).to.have.members([
      'admin-1',
      'client-2',
      'client-3',
      'env-admin',
      'env-client',
    ]);
  });

  it('hides every occurrence, longest first', function () {
    const redact = createRedactor(['abcd', 'abcdef']);
    expect(redact('x abcdef y abcd z')).to.equal('x [token hidden] y [token hidden] z');
  });
});
