import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { open311CreateSchema } from '@ssp/shared';
import { ApiError, zodDetails } from '../core/errors';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import { CONTENT_TYPES, toXmlList, toXmlObject, type Open311Format, type Open311Item } from './format';

const FORM_LIMIT_BYTES = 64 * 1024;

function formatOf(ctx: Context): Open311Format {
  const format = ctx.params.format;
  if (format === 'json' || format === 'xml') return format;
  throw new ApiError(404, 'NOT_FOUND', 'Unsupported format: use .json or .xml');
}

function send(ctx: Context, status: number, json: unknown, xml: () => string): void {
  const format = (ctx.state.open311Format as Open311Format | undefined) ?? 'json';
  ctx.status = status;
  ctx.type = CONTENT_TYPES[format];
  ctx.body = format === 'xml' ? xml() : JSON.stringify(json);
}

/**
 * Open311's own error format, `[{ code, description }]` (or <errors><error>…),
 * with the specification's HTTP codes, instead of the API's usual envelope.
 */
const open311Errors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const detail = err.details?.map((d) => (d.field ? `${d.field}: ${d.issue}` : d.issue)).join('; ');
    const errors = [{ code: err.status, description: detail ? `${err.message} (${detail})` : err.message }];
    send(ctx, err.status, errors, () => toXmlList('errors', 'error', errors));
  }
};

/** Reads form-encoded (the specification's) or JSON bodies into a plain object. */
async function readParams(ctx: Context): Promise<Record<string, unknown>> {
  if (ctx.is('application/json')) return (ctx.request.body as Record<string, unknown>) ?? {};
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send application/x-www-form-urlencoded or application/json');
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: FORM_LIMIT_BYTES, encoding: 'utf8' });
  } catch {
    throw new ApiError(413, 'PAYLOAD_TOO_LARGE');
  }
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) params[key] = value;
  return params;
}

function parse<S extends typeof open311CreateSchema>(schema: S, input: unknown) {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError(400, 'VALIDATION_FAILED', 'Invalid parameters', zodDetails(result.error));
  return result.data as S['_output'];
}

/** Open311 GeoReport v2: JSON or XML by the path's format, Open311's error list. */
export function open311Handlers({ open311, ctx: { config } }: Services): Handlers<OperationsOfTag<'open311'>> {
  const withFormat: Middleware = async (ctx, next) => {
    ctx.state.open311Format = formatOf(ctx);
    await next();
  };
  const use = [open311Errors, withFormat];

  return {
    open311Discovery: {
      use,
      handle: async (_input, ctx) => {
        const discovery = await open311.discovery(config.publicBaseUrl);
        send(ctx, 200, discovery, () => toXmlObject('discovery', discovery as unknown as Open311Item, { endpoints: 'endpoint', formats: 'format' }));
      },
    },
    open311Services: {
      use,
      handle: async (_input, ctx) => {
        const services = await open311.services();
        send(ctx, 200, services, () => toXmlList('services', 'service', services));
      },
    },
    open311ServiceDefinition: {
      use,
      handle: async ({ params }, ctx) => {
        const definition = await open311.serviceDefinition(params.code);
        send(ctx, 200, definition, () => toXmlObject('service_definition', { service_code: definition.service_code, attributes: [] }));
      },
    },
    open311ListRequests: {
      use,
      handle: async ({ query }, ctx) => {
        const requests = await open311.list(query, open311.optionalClient(query.api_key));
        send(ctx, 200, requests, () => toXmlList('service_requests', 'request', requests));
      },
    },
    open311CreateRequest: {
      use,
      handle: async (_input, ctx) => {
        const input = parse(open311CreateSchema, await readParams(ctx));
        const created = await open311.create(input);
        send(ctx, 201, [created], () => toXmlList('service_requests', 'request', [created]));
      },
    },
    open311GetRequest: {
      use,
      handle: async ({ params, query }, ctx) => {
        const request = await open311.get(params.id, open311.optionalClient(query.api_key));
        send(ctx, 200, [request], () => toXmlList('service_requests', 'request', [request]));
      },
    },
  };
}
