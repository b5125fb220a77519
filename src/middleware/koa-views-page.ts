import { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import Koa, { type Context, type Middleware } from 'koa';
import { optionError } from '../option-error.js';
import { templateFile, type PageLocals, type PageRenderer } from './page.js';

/**
 * The `views` option as an object: the page rendered by koa-views (an optional peer) over `dir`, in any engine
 * it supports. The keys are koa-views' own options (`autoRender` excepted: the page is read from `ctx.body`).
 */
export interface ViewsOptions {
  /** The folder of the page (relative to the working directory, or absolute). */
  dir: string;
  /** The page's file extension, which names its engine unless `map` says otherwise. Default `'html'`, as koa-views'. */
  extension?: string;
  /** Extension → engine name, e.g. `{ html: 'nunjucks' }`. */
  map?: Record<string, string>;
  /** Passed to the engine with every render (partials, helpers, `cache`…). */
  options?: Record<string, unknown>;
  /** Engine functions by name, `(path, locals) => Promise<string>`, in place of `@ladjs/consolidate`. */
  engineSource?: Record<string, (path: string, locals: Record<string, unknown>) => Promise<string>>;
}

/** koa-views' default export, as far as this package uses it. */
type KoaViews = (root: string, options: Omit<ViewsOptions, 'dir'>) => Middleware;

const VIEWS_KEYS: ReadonlySet<string> = new Set(Object.keys({
  dir: true, extension: true, map: true, options: true, engineSource: true,
} satisfies Record<keyof ViewsOptions, true>));

/**
 * koa-views, from where this package is installed (an app's peer), synchronously: `maintenance()` returns its
 * middleware at once. koa-views 8 is CommonJS, so `require` loads it from the ESM and the CommonJS build alike.
 */
function loadKoaViews(views: object): KoaViews {
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)('koa-views');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND' && error.message.includes("'koa-views'")) {
      throw optionError('views', views, 'needs koa-views: install koa-views to render the page in another engine (npm install koa-views), or give views a folder of Pug templates');
    }
    throw error;
  }
  const factory = typeof loaded === 'function' ? loaded : (loaded as { default?: unknown } | null)?.default;
  if (typeof factory !== 'function') throw optionError('views', views, 'needs koa-views 8, whose export is a function; the installed koa-views is not');
  return (root, options) => Reflect.apply(factory, undefined, [root, options]);
}

/** An object of `T`s, copied (the app's object is never kept nor changed); a TypeError naming `views.<key>` otherwise. */
function optionalRecord<T>(key: string, value: unknown, isEntry: (entry: unknown) => entry is T, expected: string): Record<string, T> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw optionError(`views.${key}`, value, expected);
  const record: Record<string, T> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!isEntry(entry)) throw optionError(`views.${key}`, value, expected);
    record[name] = entry;
  }
  return record;
}

const isString = (entry: unknown): entry is string => typeof entry === 'string';
const isAnything = (_entry: unknown): _entry is unknown => true;
const isEngine = (entry: unknown): entry is (path: string, locals: Record<string, unknown>) => Promise<string> => typeof entry === 'function';

/** `views` given as an object: its keys checked, koa-views loaded (first: without it nothing else matters), the page's file found. */
export function compileViewsObject(value: object, view: string): PageRenderer {
  for (const key of Object.keys(value)) {
    if (!VIEWS_KEYS.has(key)) throw optionError(`views.${key}`, Reflect.get(value, key), `is not a views option (known: ${[...VIEWS_KEYS].join(', ')})`);
  }
  const koaViews = loadKoaViews(value);
  const given: Partial<Record<keyof ViewsOptions, unknown>> = value;
  if (typeof given.dir !== 'string' || given.dir.trim() === '') throw optionError('views.dir', given.dir, 'is not a non-empty string');
  const dir = resolve(given.dir);
  const extension = given.extension ?? 'html';
  if (typeof extension !== 'string' || !/^[A-Za-z0-9_-]+$/.test(extension)) throw optionError('views.extension', extension, 'is not a file extension without its dot (e.g. "ejs")');
  const map = optionalRecord('map', given.map, isString, 'is not an object of extension → engine name');
  const options = optionalRecord('options', given.options, isAnything, 'is not an object');
  const engineSource = optionalRecord('engineSource', given.engineSource, isEngine, 'is not an object of engine functions');
  if (extension === 'html' && map === undefined) {
    throw optionError('views.extension', extension, 'without views.map has koa-views send the file as it is, without the texts; name its engine (e.g. map: { html: "nunjucks" }) or use the engine\'s extension');
  }
  templateFile('views.dir', given.dir, dir, view, extension);

  const viewsOptions: Omit<ViewsOptions, 'dir'> = { extension };
  if (map !== undefined) viewsOptions.map = map;
  if (options !== undefined) viewsOptions.options = options;
  if (engineSource !== undefined) viewsOptions.engineSource = engineSource;
  return createKoaViewsRenderer(koaViews(dir, viewsOptions), view);
}

/**
 * The page rendered through koa-views as an app's route would: its middleware on a real Koa context, then
 * `ctx.render(view, locals)`, which leaves the HTML in `ctx.body`. The context is one of this renderer's own
 * (a fresh Koa's, on its own `ServerResponse`), so an app's `ctx.render` (koa-views mounted with other roots)
 * never renders it and rendering never touches the answer's headers. For a page of the answer alone its state
 * is empty; for a page of one request (`locals` a function of ctx) it is that request's `ctx.state`, which
 * koa-views hands to the template as it does for the app's own pages.
 */
function createKoaViewsRenderer(viewsMiddleware: Middleware, view: string): PageRenderer {
  const koa = new Koa();
  const startUpRequest = (): IncomingMessage => Object.assign(new IncomingMessage(new Socket()), { method: 'GET', url: '/' });

  async function render(locals: PageLocals, request?: Context): Promise<string> {
    const req = request?.req ?? startUpRequest();
    const ctx = koa.createContext(req, new ServerResponse(req));
    if (request) ctx.state = request.state;
    await viewsMiddleware(ctx, async () => {
      const renderPage: unknown = Reflect.get(ctx, 'render');
      if (typeof renderPage !== 'function') throw new TypeError('koa-views did not give the context a render()');
      await Reflect.apply(renderPage, ctx, [view, locals]);
    });
    if (typeof ctx.body !== 'string') throw new TypeError(`koa-views rendered "${view}" to ${ctx.body === null || ctx.body === undefined ? 'nothing' : 'a stream or buffer'}, not HTML text`);
    return ctx.body;
  }

  return {
    warm() {
      // Nothing to compile ahead: the responder's warm-up renders the default page, which loads the engine.
    },
    render,
  };
}
