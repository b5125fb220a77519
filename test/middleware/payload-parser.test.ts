import { expect } from 'chai';
import { MAX_NOTICE_SECONDS, type VariantPayload } from '../../src/flag/payload.js';
import { compileOptions } from '../../src/middleware/options.js';
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
      "warn: ignoring invalid variant payload fields: retryAfter (title, message and area are non-empty strings, retryAfter and notice whole seconds, notice at most 30 days, until and from ISO 8601 times, until after 1970, mode 'block', 'read-only' or 'pause', maxPause whole seconds from 1 to 60)",
    ]);
  });

  it('caps notice at 30 days, the same cap as the notice option', () => {
    const { parse, reports } = parserWithReports();
    expect(MAX_NOTICE_SECONDS).to.equal(30 * 86_400);
    expect(parse({ type: 'json', value: JSON.stringify({ notice: MAX_NOTICE_SECONDS }) })).to.deep.equal({ notice: MAX_NOTICE_SECONDS });
    expect(parse({ type: 'json', value: JSON.stringify({ notice: MAX_NOTICE_SECONDS + 1 }) })).to.deep.equal({});
    expect(parse({ type: 'json', value: JSON.stringify({ notice: 10 * 365 * 86_400 }) })).to.deep.equal({});
    expect(reports).to.have.length(2);
    expect(reports[0]).to.match(/ignoring invalid variant payload fields: notice /);
    const unleash = { isEnabled: () => false, getVariant: () => ({ name: 'disabled', enabled: false }) } as never;
    expect(compileOptions({ unleash, notice: MAX_NOTICE_SECONDS }).noticeSeconds).to.equal(MAX_NOTICE_SECONDS);
    expect(() => compileOptions({ unleash, notice: MAX_NOTICE_SECONDS + 1 })).to.throw(TypeError, `longer than ${MAX_NOTICE_SECONDS} seconds`);
  });

  it('rejects an until before 1970 (year 0000 is a mistake, not a window), warning like any unusable field', () => {
    const { parse, reports } = parserWithReports();
    expect(parse({ type: 'json', value: JSON.stringify({ until: '0000-01-01T00:00:00Z', title: 'x' }) })).to.deep.equal({ title: 'x' });
    expect(parse({ type: 'json', value: JSON.stringify({ until: '1969-12-31T23:59:59Z' }) })).to.deep.equal({});
    expect(parse({ type: 'json', value: JSON.stringify({ until: '1970-01-01T00:00:00Z' }) })).to.deep.equal({ until: new Date(0) });
    expect(reports).to.have.length(2);
    expect(reports[0]).to.match(/ignoring invalid variant payload fields: until /);
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
