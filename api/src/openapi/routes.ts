import Router from '@koa/router';
import type { OpenApiDocument } from '@ssp/shared';
import { renderDocsPage } from './docs-page';

/** The API's own description: the OpenAPI document and a page to read it. */
export function openApiRoutes(document: OpenApiDocument): Router {
  const router = new Router();
  const json = JSON.stringify(document);
  const page = renderDocsPage(document);

  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = json;
  });

  router.get('/docs', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page;
  });

  return router;
}
