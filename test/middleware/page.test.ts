import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPageRenderer } from '../../src/middleware/page.js';

describe('createPageRenderer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kum-page-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the locals it is given, escaped', () => {
    writeFileSync(join(dir, 'page.pug'), 'h1= title\np= message');
    const page = createPageRenderer(join(dir, 'page.pug'));
    expect(page.render({ title: 'Back <soon>', message: 'x' })).to.equal('<h1>Back &lt;soon&gt;</h1><p>x</p>');
  });

  it('compiles once, at warm(): the file can go afterwards', () => {
    const file = join(dir, 'page.pug');
    writeFileSync(file, 'p= title');
    const page = createPageRenderer(file);
    page.warm();
    unlinkSync(file);
    expect(page.render({ title: 'still here' })).to.equal('<p>still here</p>');
  });

  it('leaves a template that does not compile to render, which throws, and picks the file up once it is fixed', () => {
    const file = join(dir, 'page.pug');
    writeFileSync(file, 'p(unclosed= "attribute"\n');
    const page = createPageRenderer(file);
    expect(() => page.warm()).not.to.throw();
    expect(() => page.render({})).to.throw();
    writeFileSync(file, 'p fixed');
    expect(page.render({})).to.equal('<p>fixed</p>');
  });

  it('throws what the template throws', () => {
    writeFileSync(join(dir, 'page.pug'), 'p= missing.deeper');
    expect(() => createPageRenderer(join(dir, 'page.pug')).render({})).to.throw(TypeError);
  });
});
