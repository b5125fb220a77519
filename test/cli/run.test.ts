import { expect } from 'chai';
import { runCli } from '../../src/cli/run.js';

/** The command in-process; every case here is refused before any request, so nothing listens at the URL. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
    env: { UNLEASH_URL: 'http://127.0.0.1:9', UNLEASH_ADMIN_TOKEN: '*:*.admin-secret' },
  });
  return { code, stderr };
}

describe('cli/run: a scope refused names the option as typed', function () {
  const cases: [string[], string][] = [
    [['on', '-e', 'p', '--path', 'checkout'], '--path must be a path starting with "/", got "checkout"'],
    [['off', '-e', 'p', '--path', '/ok', '--path', '/'], '--path names the whole site ("/"): leave the paths out instead'],
    [['on', '-e', 'p', '--host', 'api.example.com:443'], '--host must be a host name without port or scheme'],
    [['on', '-e', 'p', '--property', 'path=/checkout'], '--property path is not a property to close'],
    [['on', '-e', 'p', '--property', 'bad name=x'], '--property bad name must be named like a context field'],
    [['on', '-e', 'p', '--path', '/checkout', '--area', ' '], '--area must not be empty'],
  ];
  for (const [argv, message] of cases) {
    it(`${argv.slice(3).join(' ')}: exit 2, "${message}"`, async function () {
      const { code, stderr } = await run(argv);
      expect(code).to.equal(2);
      expect(stderr).to.contain(`unleash-maintenance: ${message}`);
    });
  }
});
