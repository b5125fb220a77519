import { expect } from 'chai';
import type { VariantPayload } from '../../src/flag/payload.js';
import { createPayloadParser } from '../../src/middleware/payload-parser.js';
import type { Report } from '../../src/middleware/reporter.js';

describe('createPayloadParser', () => {
  function parserWithReports() {
    const reports: string[] = [];
    const report: Report = (level, _key, message) => reports.push(`${level}: ${message}`);
    return { parse: createPayloadParser(report), reports };
  }

  it('reads the known fields of a JSON object, dropping each invalid one with a warning', () => {
    const { parse, reports } = parserWithReports();
    const payload = parse({ type: 'json', value: JSON.stringify({ title: ' Upgrade ', retryAfter: -1, until: '2026-12-03T22:00:00Z', mode: 'read-only', extra: 1 }) });
    expect(payload).to.deep.equal({ title: 'Upgrade', until: new Date('2026-12-03T22:00:00Z'), mode: 'read-only' });
    expect(Object.isFrozen(payload)).to.equal(true);
    expect(reports).to.deep.equal([
      "warn: ignoring invalid variant payload fields: retryAfter (title and message are non-empty strings, retryAfter and notice whole seconds, until and from ISO 8601 times, mode 'block' or 'read-only')",
    ]);
  });

  it('reads a string payload as the message', () => {
    expect(parserWithReports().parse({ type: 'string', value: 'Back at ten.' })).to.deep.equal({ message: 'Back at ten.' });
  });

  it('answers a payload that is not a JSON object with the defaults, warning once', () => {
    const { parse, reports } = parserWithReports();
    expect(parse({ type: 'json', value: '[1]' })).to.deep.equal({});
    expect(parse({ type: 'csv', value: 'a,b' })).to.deep.equal({});
    expect(reports).to.have.length(2);
  });

  it('treats a malformed server answer (type or value not a string) as no payload, never throwing', () => {
    const { parse, reports } = parserWithReports();
    const malformed: unknown[] = [
      { type: { toString: null }, value: '' },
      { type: Object.create(null), value: '{"title":"x"}' },
      { type: 'json', value: { toString: null } },
      { type: 'json' },
      'json',
      null,
      undefined,
    ];
    for (const payload of malformed) expect(parse(payload as VariantPayload), String(JSON.stringify(payload))).to.deep.equal({});
    expect(reports).to.deep.equal([]);
  });

  it('parses each distinct payload once, handing out the same frozen object', () => {
    const { parse } = parserWithReports();
    const value = JSON.stringify({ message: 'Soon.' });
    expect(parse({ type: 'json', value })).to.equal(parse({ type: 'json', value }));
  });
});
