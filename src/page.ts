import type { Context } from 'koa';
import views from 'koa-views';
import { DEFAULT_TEXTS } from './texts.js';

/** Template variables: the texts of this maintenance window over the app's own `locals` over the defaults. */
export type PageLocals = Record<string, unknown>;

export type Locals = PageLocals | ((ctx: Context) => PageLocals);

/**
 * Renders the maintenance page to HTML from this window's texts (`locals`) over the app's `locals` option over
 * `defaults` (the language's texts; `DEFAULT_TEXTS` when omitted). The cache keys on `locals` alone, so whatever
 * chose the defaults (language, mode) must be in `locals` too.
 */
export type PageRenderer = (ctx: Context, locals: PageLocals, defaults?: object) => Promise<string>;

type ViewsRender = (this: { state: object }, view: string, locals: PageLocals) => Promise<string>;

const MAX_CACHED_PAGES = 32;

/**
 * Pug through koa-views. koa-views normally renders into `ctx.body` and mixes in `ctx.state`; it is called
 * here with a private target instead, so the page sees only the locals given and can be cached as a string.
 */
function createViewsRender(viewsDir: string, view: string): (locals: PageLocals) => Promise<string> {
  const extendContext = views(viewsDir, { extension: 'pug', autoRender: false }) as unknown as () => ViewsRender;
  const render = extendContext();
  return (locals) => render.call({ state: {} }, view, { ...locals, cache: true });
}

/**
 * With static `locals` each distinct set of texts is rendered once and kept (a failed render is not kept);
 * `texts` must hold no undefined values (they would hide the defaults). With `locals(ctx)` the page depends on the request, so it is rendered every time.
 */
export function createPageRenderer(viewsDir: string, view: string, locals: Locals | undefined): PageRenderer {
  const render = createViewsRender(viewsDir, view);
  if (typeof locals === 'function') {
    return (ctx, texts, defaults = DEFAULT_TEXTS) => render({ ...defaults, ...locals(ctx), ...texts });
  }
  const cache = new Map<string, Promise<string>>();
  return (_ctx, texts, defaults = DEFAULT_TEXTS) => {
    const key = JSON.stringify(texts);
    let page = cache.get(key);
    if (!page) {
      page = render({ ...defaults, ...locals, ...texts });
      if (cache.size >= MAX_CACHED_PAGES) cache.clear();
      cache.set(key, page);
      page.catch(() => cache.delete(key));
    }
    return page;
  };
}
