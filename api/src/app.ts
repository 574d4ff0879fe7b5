import Koa from 'koa';
import compress from 'koa-compress';
import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { systemClock, type Clock } from './context';
import { authenticate } from './auth/middleware';
import { errorMiddleware } from './core/error-middleware';
import { jsonBody } from './core/json-body';
import { requestContext } from './core/request-id';
import { cors, securityHeaders } from './core/security';
import { serveH5 } from './core/static-files';
import { createServices, type Services } from './services';
import { healthRoutes } from './health/routes';
import { authRoutes } from './auth/routes';
import { mediaRoutes } from './media/routes';
import { catalogueRoutes } from './catalogue/routes';
import { reportRoutes } from './reports/routes';
import { caseRoutes } from './cases/routes';
import { open311Routes } from './open311/routes';
import { forwardingRoutes } from './forwarding/routes';
import { campaignRoutes } from './campaigns/routes';
import { pointsRoutes } from './points/routes';
import { statsRoutes } from './stats/routes';
import { buildOpenApiDocument, type OpenApiDocument } from '@ssp/shared';
import { openApiRoutes } from './openapi/routes';
import { contractCheck } from './openapi/contract-check';

export interface AppDeps {
  config: Config;
  db: Connection;
  logger: Logger;
  version: string;
  clock?: Clock;
  /** Prebuilt services (tests share them with the app); built from the rest when absent. */
  services?: Services;
}

/** Builds the whole API as a Koa app without listening, so tests can drive it on any port. */
export function buildApp(deps: AppDeps): Koa {
  const services =
    deps.services ?? createServices({ config: deps.config, db: deps.db, logger: deps.logger, clock: deps.clock ?? systemClock });
  // Behind a reverse proxy, the client IP (rate limits) is the one the last proxy appended.
  const app = new Koa({ proxy: deps.config.trustProxy, maxIpsCount: 1 });
  app.silent = true;
  const document = buildOpenApiDocument({ version: deps.version });
  const api = buildRouter(deps, services, document);

  app.use(requestContext(deps.logger));
  app.use(securityHeaders());
  // Text answers (JSON, HTML, CSS, JS, CSV…) above 1 KB, gzip or brotli as the client accepts; outside
  // the contract check, which reads the body before it is compressed.
  app.use(compress({ threshold: 1024, deflate: false, zstd: false }));
  if (deps.config.contractCheck) app.use(contractCheck(document));
  app.use(errorMiddleware());
  app.use(cors(deps.config.corsOrigins));
  app.use(serveH5('/app', deps.config.h5DistDir));
  app.use(authenticate(deps.config.jwtSecret));
  app.use(jsonBody(deps.config.jsonBodyLimitBytes));
  app.use(unknownMethodsAre405);
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}

/** The router answers a method it has never heard of (TRACE) with 501; for a path we serve it is a 405, with Allow. */
const unknownMethodsAre405: Koa.Middleware = async (ctx, next) => {
  await next();
  if (ctx.status === 501 && ctx.response.get('Allow')) ctx.status = 405;
};

/** Every route of the API in one router (the contract test lists them from here). */
export function buildRouter(deps: AppDeps, services: Services, document: OpenApiDocument): Router {
  const api = new Router();
  const domains = [
    openApiRoutes(document),
    healthRoutes(deps),
    authRoutes(services),
    mediaRoutes(services),
    catalogueRoutes(services),
    reportRoutes(services),
    caseRoutes(services),
    open311Routes(services),
    forwardingRoutes(services),
    campaignRoutes(services),
    pointsRoutes(services),
    statsRoutes(services),
  ];
  for (const domain of domains) api.use(domain.routes());
  return api;
}
