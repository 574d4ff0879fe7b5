import type { OpenApiDocument } from '@ssp/shared';
import type { Handlers, OperationsOfTag } from '../core/operations';
import { renderDocsPage } from './docs-page';

/** The API's own description: the OpenAPI document and a page to read it. */
export function openApiHandlers(document: OpenApiDocument): Handlers<OperationsOfTag<'meta'>> {
  const json = JSON.stringify(document);
  const page = renderDocsPage(document);
  return {
    openApiDocument: (_input, ctx) => {
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.type = 'application/json';
      ctx.body = json;
    },
    docsPage: (_input, ctx) => {
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page;
    },
  };
}
