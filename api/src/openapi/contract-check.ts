import type { Middleware } from 'koa';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { toOpenApiPath, type OpenApiDocument } from '@ssp/shared';

/**
 * Checks every response against the OpenAPI document: the route must be in it, its
 * status declared and its JSON body valid (unknown fields included, so nothing private
 * slips out unnoticed). Turned on in tests; a violation is logged and becomes a 500, so
 * any test that exercises the route fails.
 */
export function contractCheck(document: OpenApiDocument): Middleware {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (schema: Record<string, unknown>, key: string) => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: document.components });
      validators.set(key, validate);
    }
    return validate;
  };

  return async (ctx, next) => {
    await next();
    const route = (ctx as { _matchedRoute?: string })._matchedRoute;
    if (!route || ctx.status === 405 || ctx.status >= 500) return;

    const problems: string[] = [];
    const documented = document.paths[toOpenApiPath(route)]?.[ctx.method.toLowerCase()];
    if (!documented) {
      problems.push(`${ctx.method} ${route} is not in the contract`);
    } else {
      const status = String(ctx.status);
      const response = documented.responses[status] ?? (ctx.status >= 400 && ctx.status < 500 ? documented.responses['4XX'] : undefined);
      if (!response) {
        problems.push(`status ${status} is not declared`);
      } else if (response.content) {
        const mediaType = (ctx.type || '').split(';')[0]!.trim();
        const content = response.content[mediaType];
        if (!content) {
          problems.push(`content type "${mediaType}" is not declared for ${status}`);
        } else if (mediaType === 'application/json') {
          const body = typeof ctx.body === 'string' ? JSON.parse(ctx.body) : Buffer.isBuffer(ctx.body) ? JSON.parse(ctx.body.toString()) : ctx.body;
          const validate = validatorFor(content.schema, `${ctx.method} ${route} ${status}`);
          if (!validate(body)) {
            problems.push(...(validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
          }
        }
      } else if (ctx.body !== undefined && ctx.body !== null && ctx.status !== 304) {
        problems.push(`status ${status} has a body but declares none`);
      }
    }
    if (problems.length === 0) return;

    ctx.state.log?.error({ route, method: ctx.method, status: ctx.status, problems }, 'response breaks the API contract');
    ctx.status = 500;
    ctx.type = 'application/json';
    ctx.body = { error: { code: 'INTERNAL', message: '服务响应与接口约定不符', details: problems.map((issue) => ({ field: route, issue })) } };
  };
}
