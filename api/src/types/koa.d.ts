import 'koa';

declare module 'koa' {
  interface Request {
    /** Parsed JSON body (core/json-body.ts); unknown until validated with zod. */
    body?: unknown;
  }
}
