import { z } from 'zod';
import { operations, type ContractOperation, type ResponseBody } from './contract';
import { errorEnvelopeSchema } from './errors';
import { open311ErrorSchema } from './open311';

/*
 * OpenAPI 3.1 document generated from the contract table (./contract.ts) and the zod
 * schemas it names. Nothing here is written by hand per route.
 */

type JsonSchema = Record<string, unknown>;
type Content = Record<string, { schema: JsonSchema }>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  'x-access': string | string[];
  security?: Record<string, string[]>[];
  parameters?: JsonSchema[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }>; headers?: JsonSchema }>;
}

const TAGS: Record<string, string> = {
  meta: '接口文档',
  health: '运行状态',
  auth: '登录与账号',
  media: '照片',
  catalogue: '城市数据：类别、部门、区域、日历',
  reports: '市民上报、附议、进度与评价',
  cases: '指挥中心与处置部门的案件办理',
  forwarding: '转派外部平台',
  open311: 'Open311 GeoReport v2',
  campaigns: '参与活动',
  points: '积分、奖励与兑换',
  notifications: '消息中心与订阅消息',
  stats: '统计与公开数据',
};

const DESCRIPTION = [
  '随手拍：市民参与的数字城管问题上报平台。',
  '',
  '登录：`Authorization: Bearer <accessToken>`（市民经微信登录，工作人员经账号密码登录）。每个操作的 `x-access` 列出可调用者。',
  '错误：除 Open311 外统一为 `{ "error": { "code", "message", "details" } }`，`details[].field` 指出出错的字段。',
  '限流时返回 429 和 `Retry-After`；数据库暂不可用时返回 503。',
].join('\n');

/** `/me/reports/:id` → `/me/reports/{id}`. */
export function toOpenApiPath(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** A short stable hash (FNV-1a, 32 bits) for naming shared definitions; no Node APIs, so the client can bundle this file. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Collects schemas' `$defs` into components, named by content so equal definitions are shared. */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', reused: 'ref' }) as JsonSchema;
    delete json.$schema;
    const defs = json.$defs as Record<string, JsonSchema> | undefined;
    delete json.$defs;
    if (!defs) return json;
    const renames = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      const hash = fnv1a(JSON.stringify(def));
      renames.set(`#/$defs/${name}`, `#/components/schemas/Def_${hash}`);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value && typeof value === 'object') {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? (renames.get(v) ?? v) : rewrite(v)]),
        );
      }
      return value;
    };
    for (const [name, def] of Object.entries(defs)) {
      const ref = renames.get(`#/$defs/${name}`)!;
      this.components[ref.split('/').pop()!] = rewrite(def) as JsonSchema;
    }
    return rewrite(json) as JsonSchema;
  }
}

function parametersOf(op: ContractOperation, schemas: SchemaCollector): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  const add = (where: 'path' | 'query' | 'header', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = schemas.convert(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: property });
    }
  };
  add('path', op.params);
  add('query', op.query);
  add('header', op.headers);
  return parameters;
}

function requestBodyOf(op: ContractOperation, schemas: SchemaCollector): OpenApiOperation['requestBody'] {
  if (!op.body) return undefined;
  const required = !op.body.safeParse(undefined).success;
  if (op.bodyMediaType === 'multipart/form-data') {
    return { required, content: { 'multipart/form-data': { schema: schemas.convert(op.body, 'input') } } };
  }
  const schema = schemas.convert(op.body, 'input');
  if (op.bodyMediaType === 'open311-form') {
    return { required, content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } } };
  }
  return { required, content: { 'application/json': { schema } } };
}

const RETRY_AFTER = { 'Retry-After': { description: '稍后重试的秒数', schema: { type: 'integer', minimum: 1 } } };

function responsesOf(op: ContractOperation, schemas: SchemaCollector): OpenApiOperation['responses'] {
  const responses: OpenApiOperation['responses'] = {};
  const bodyContent = (body: ResponseBody): Content | undefined => {
    if (body === null) return undefined;
    if ('mediaType' in body && typeof body.mediaType === 'string') {
      return { [body.mediaType]: { schema: { type: 'string', format: 'binary' } } };
    }
    const schema = schemas.convert(body as z.ZodType, 'output');
    return op.open311 ? { 'application/json': { schema }, 'text/xml': { schema: { type: 'string' } } } : { 'application/json': { schema } };
  };
  for (const [status, body] of Object.entries(op.responses)) {
    const description = body && 'description' in body && typeof body.description === 'string' ? body.description : '成功';
    const content = bodyContent(body);
    responses[status] = content ? { description, content } : { description };
  }
  if (op.conditional) responses['304'] = { description: '未改变（If-None-Match 命中）' };

  const envelope = schemas.convert(errorEnvelopeSchema, 'output');
  const errorContent: Content = op.open311
    ? {
        // Open311's own error list; errors raised before the route (a bad token, malformed JSON) use the envelope.
        'application/json': { schema: { anyOf: [schemas.convert(z.array(open311ErrorSchema), 'output'), envelope] } },
        'text/xml': { schema: { type: 'string' } },
      }
    : { 'application/json': { schema: envelope } };
  responses['4XX'] = {
    description: '请求有误、未登录、无权限、不存在、冲突或限流（429 带 Retry-After）',
    content: errorContent,
    headers: RETRY_AFTER,
  };
  responses['503'] = { description: '服务暂不可用（如数据库不可用），稍后重试', content: errorContent, headers: RETRY_AFTER };
  return responses;
}

export function buildOpenApiDocument(options: { version: string; serverUrl?: string }): OpenApiDocument {
  const schemas = new SchemaCollector();
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const path = toOpenApiPath(op.path);
    const access = op.access === 'public' || op.access === 'signed' ? op.access : [...op.access];
    const operation: OpenApiOperation = {
      operationId: op.id,
      tags: [op.tag],
      summary: op.summary,
      'x-access': access,
      ...(Array.isArray(access) ? { security: [{ bearerAuth: [] }] } : {}),
      responses: {},
    };
    const parameters = parametersOf(op, schemas);
    if (parameters.length) operation.parameters = parameters;
    const requestBody = requestBodyOf(op, schemas);
    if (requestBody) operation.requestBody = requestBody;
    operation.responses = responsesOf(op, schemas);
    (paths[path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: '随手拍 API', version: options.version, description: DESCRIPTION },
    servers: [{ url: options.serverUrl ?? '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
