import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { helpText } from '../../src/cli/help.js';
import { ALLOWED, COMMANDS, OPTION_ROWS, OPTION_TABLE, OPTIONS, type OptionName } from '../../src/cli/option-table.js';

describe('cli/option-table', function () {
  it('gives parseArgs every option with its type, short name and repeatability', function () {
    expect(Object.keys(OPTIONS)).to.deep.equal(Object.keys(OPTION_TABLE));
    expect(OPTIONS.environment).to.deep.equal({ type: 'string', short: 'e', multiple: true });
    expect(OPTIONS.help).to.deep.equal({ type: 'boolean', short: 'h' });
    expect(OPTIONS.title).to.deep.equal({ type: 'string' });
  });

  it('allows each command exactly the options whose row names it', function () {
    expect([...ALLOWED.status]).to.have.members(['environment', 'url', 'token', 'project', 'flag', 'json', 'help']);
    expect([...ALLOWED.off]).to.have.members([...ALLOWED.status, 'path', 'host', 'property', 'wait', 'client-token', 'timeout']);
    expect([...ALLOWED.on]).to.have.members([...ALLOWED.off, 'rollout', 'stickiness', 'title', 'message', 'area', 'retry-after', 'until', 'from', 'notice', 'mode', 'max-pause']);
  });

  it('holds together: an option needs one its commands also take, a reading that can fail says what it expects', function () {
    for (const [name, row] of OPTION_ROWS) {
      if (row.needs) {
        expect(Object.keys(OPTION_TABLE), name).to.include(row.needs);
        for (const command of row.commands) expect(ALLOWED[command].has(row.needs as OptionName), `${name} on ${command}`).to.equal(true);
      }
      if (row.enable && row.enable.read !== 'text') expect(row.enable.expected, name).to.be.a('string');
      if (row.enable) expect(row.commands, name).to.deep.equal(['on']);
    }
  });

  it('writes each command help from the rows: its options once each, wrapped under the text column', function () {
    for (const command of COMMANDS) {
      const help = helpText(command);
      for (const [name] of OPTION_ROWS) {
        const listed = help.match(new RegExp(`^  (-\\w, )?--${name}\\b`, 'gm')) ?? [];
        expect(listed, `${name} in ${command}`).to.have.length(ALLOWED[command].has(name) ? 1 : 0);
      }
      for (const line of help.split('\n')) expect(line.length, line).to.be.at.most(98);
    }
    expect(helpText('on')).to.contain('  -e, --environment <env> environment to switch; repeatable (required)\n');
    expect(helpText('status')).to.contain(`  -e, --environment <env> environment to show; repeatable (default: all of the project's)\n`);
    expect(helpText('off')).to.contain(
      '  --client-token <token> backend (client) token, one per environment changed; repeatable\n                         (env UNLEASH_API_TOKEN)\n',
    );
    expect(helpText('on')).to.contain('  --url <url>            Unleash base URL (env UNLEASH_URL)\n  --token <token>        admin API token');
  });

  it('has every option in the reference of docs/command.md', function () {
    const doc = readFileSync(new URL('../../docs/command.md', import.meta.url), 'utf8');
    const reference = doc.slice(doc.indexOf('## The command'), doc.indexOf('## Durations'));
    for (const [name] of OPTION_ROWS) expect(reference, name).to.contain(`--${name}`);
  });
});
