import Koa from 'koa';
import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { systemClock, type Clock } from './context';
import { authenticate } from './auth/middleware';
import { compression } from './core/compression';
import { errorMiddleware } from './core/error-middleware';
import { jsonBody } from './core/json-body';
import { requestContext } from './core/request-id';
import { cors, securityHeaders } from './core/security';
import { serveH5, serveSinglePageApp } from './core/static-files';
import { createServices, type Services } from './services';
import { healthHandlers } from './health/routes';
import { authHandlers } from './auth/routes';
import { mediaHandlers } from './media/routes';
import { catalogueHandlers } from './catalogue/routes';
import { reportHandlers } from './reports/routes';
import { caseHandlers } from './cases/routes';
import { open311Handlers } from './open311/routes';
import { forwardingHandlers } from './forwarding/routes';
import { campaignHandlers } from './campaigns/routes';
import { notificationHandlers } from './notifications/routes';
import { pointsHandlers } from './points/routes';
import { statsHandlers } from './stats/routes';
import { buildOpenApiDocument, type OpenApiDocument, type OperationId } from '@ssp/shared';
import { openApiHandlers } from './openapi/routes';
import { contractCheck } from './openapi/contract-check';
import { mergeHandlers, operationsRouter, type Handlers } from './core/operations';

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
  const services = deps.services ?? createServices({ config: deps.config, db: deps.db, logger: deps.logger, clock: deps.clock ?? systemClock });
  // Behind a reverse proxy, the client IP (rate limits) is the one the last proxy appended.
  const app = new Koa({ proxy: deps.config.trustProxy, maxIpsCount: 1 });
  app.silent = true;
  const document = buildOpenApiDocument({ version: deps.version });
  const api = buildRouter(deps, services, document);

  app.use(requestContext(deps.logger));
  app.use(securityHeaders());
  // Text answers (JSON, HTML, CSS, JS, CSV…) above 1 KB, gzip or brotli as the client accepts; outside
  // the contract check, which reads the body before it is compressed.
  app.use(compression());
  if (deps.config.contractCheck) app.use(contractCheck(document));
  app.use(errorMiddleware());
  app.use(cors(deps.config.corsOrigins));
  app.use(serveH5('/app', deps.config.h5DistDir));
  app.use(serveSinglePageApp('/console', deps.config.consoleDistDir, { hashedDir: 'assets' }));
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

/**
 * Every route of the API in one router, registered from the contract (core/operations.ts)
 * with each domain's handlers. Missing handlers fail to compile; doubled ones fail at start.
 */
export function buildRouter(deps: AppDeps, services: Services, document: OpenApiDocument): Router {
  const domains = {
    meta: openApiHandlers(document),
    health: healthHandlers(deps),
    auth: authHandlers(services),
    media: mediaHandlers(services),
    catalogue: catalogueHandlers(services),
    reports: reportHandlers(services),
    cases: caseHandlers(services),
    open311: open311Handlers(services),
    forwarding: forwardingHandlers(services),
    campaigns: campaignHandlers(services),
    points: pointsHandlers(services),
    notifications: notificationHandlers(services),
    stats: statsHandlers(services),
  };
  // The spread is the compile-time check that every operation has a handler.
  const handlers: Handlers<OperationId> = {
    ...domains.meta,
    ...domains.health,
    ...domains.auth,
    ...domains.media,
    ...domains.catalogue,
    ...domains.reports,
    ...domains.cases,
    ...domains.open311,
    ...domains.forwarding,
    ...domains.campaigns,
    ...domains.points,
    ...domains.notifications,
    ...domains.stats,
  };
  mergeHandlers(...Object.values(domains));
  return operationsRouter(handlers);
}
