import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'koa';
import pug, { type compileTemplate } from 'pug';
import { optionError } from '../option-error.js';

/** Template variables. */
export type PageLocals = Record<string, unknown>;

/** The `locals` option: extra template variables, or a function of the request that returns them. */
export type Locals = PageLocals | ((ctx: Context) => PageLocals);

export interface PageRenderer {
  /** Compiles the template now, at start-up, so no request waits for it; a failure is left to `render` to meet. */
  warm(): void;
  /**
   * The page's HTML; throws (or rejects) when the template does not compile or throws while rendering. Pug
   * answers at once; an engine behind koa-views answers with a promise. `request` is given only for a page of
   * one request (`locals` a function of ctx): koa-views hands its `ctx.state` to the template.
   */
  render(locals: PageLocals, request?: Context): string | Promise<string>;
}

/**
 * The page's file, `<dir>/<view>.<extension>`, checked at start-up: `dirOption` (with `given`, the value as
 * written) names the option at fault when the folder is missing, `view` when the file is.
 */
export function templateFile(dirOption: string, given: unknown, dir: string, view: string, extension: string): string {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw optionError(dirOption, given, 'is not a folder');
  const template = join(dir, `${view}.${extension}`);
  if (!statSync(template, { throwIfNoEntry: false })?.isFile()) throw optionError('view', view, `has no template: ${template} does not exist`);
  return template;
}

/**
 * The maintenance page: a Pug template compiled once. A template that fails to compile is compiled again on
 * the next render (so a fixed file is picked up), never kept broken.
 */
export function createPageRenderer(templatePath: string): PageRenderer {
  let template: compileTemplate | undefined;
  const compiled = (): compileTemplate => (template ??= pug.compileFile(templatePath));
  return {
    warm() {
      try {
        compiled();
      } catch {
        // Reported by the first blocked request that needs the page, which answers in plain text.
      }
    },
    render: (locals) => compiled()(locals),
  };
}
