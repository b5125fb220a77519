// @koa/cors 5 ships no types and @types/koa__cors is not installed: the slice the tests use.
declare module '@koa/cors' {
  import type { Context, Middleware } from 'koa';

  namespace cors {
    interface Options {
      origin?: string | ((ctx: Context) => string | Promise<string>);
      allowMethods?: string | string[];
      exposeHeaders?: string | string[];
      allowHeaders?: string | string[];
      maxAge?: number | string;
      credentials?: boolean | ((ctx: Context) => boolean | Promise<boolean>);
      keepHeadersOnError?: boolean;
      secureContext?: boolean;
      privateNetworkAccess?: boolean;
    }
  }

  function cors(options?: cors.Options): Middleware;
  export = cors;
}
