import Koa from 'koa';
import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { errorMiddleware } from './core/error-middleware';
import { jsonBody } from './core/json-body';
import { requestContext } from './core/request-id';
import { cors, securityHeaders } from './core/security';
import { serveH5 } from './core/static-files';
import { healthRoutes } from './health/routes';

export interface AppDeps {
  config: Config;
  db: Connection;
  logger: Logger;
  version: string;
}

/** Builds the whole API as a Koa app without listening, so tests can drive it on any port. */
export function buildApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;

  const api = new Router();
  for (const domain of [healthRoutes(deps)]) {
    api.use(domain.routes());
  }

  app.use(requestContext(deps.logger));
  app.use(securityHeaders());
  app.use(errorMiddleware());
  app.use(cors(deps.config.corsOrigins));
  app.use(serveH5('/app', deps.config.h5DistDir));
  app.use(jsonBody(deps.config.jsonBodyLimitBytes));
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
