import type { ErrorCode, ErrorDetail } from '@ssp/shared';
import { friendlyMessage } from '@ssp/shared';
import type { z } from 'zod';

/** An error the API answers on purpose: a status, a code from shared/errors and a message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? friendlyMessage(code));
  }
}

export const badRequest = (code: ErrorCode, message?: string, details?: ErrorDetail[]) => new ApiError(400, code, message, details);
export const validationFailed = (details: ErrorDetail[], message?: string) => new ApiError(400, 'VALIDATION_FAILED', message, details);
export const unauthenticated = (message?: string, code: ErrorCode = 'UNAUTHENTICATED') => new ApiError(401, code, message);
export const forbidden = (message?: string, code: ErrorCode = 'FORBIDDEN') => new ApiError(403, code, message);
export const notFound = (message?: string, code: ErrorCode = 'NOT_FOUND') => new ApiError(404, code, message);
export const conflict = (code: ErrorCode = 'CONFLICT', message?: string, details?: ErrorDetail[]) => new ApiError(409, code, message, details);
export const unprocessable = (code: ErrorCode, message?: string, details?: ErrorDetail[]) => new ApiError(422, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message?: string, code: ErrorCode = 'RATE_LIMITED') =>
  new ApiError(429, code, message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });

function fieldPath(prefix: string | undefined, path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, prefix ?? '');
}

export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    // Unknown fields are reported on the object; name each one as the field at fault.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldPath(prefix, [...issue.path, key]), issue: `不支持的字段：${key}` }));
    }
    const path = fieldPath(prefix, issue.path);
    return path ? [{ field: path, issue: issue.message }] : [{ issue: issue.message }];
  });
}

/**
 * Keys no input of ours has, refused wherever they appear in a body or query: MongoDB
 * operators and paths (`$gt`, `$where`, `a.b`), prototype names (`__proto__`,
 * `constructor`, `prototype`) and query-string nesting (`id[$ne]`, `category[]`, which
 * this API does not parse). Schemas would mostly drop them silently; refusing says so,
 * and no route can ever hand one on to a query or an update.
 */
const UNSAFE_KEY = /^\$|[.[\]]|^(?:__proto__|constructor|prototype)$/;
const MAX_KEY_DETAILS = 20;

interface Visit {
  value: unknown;
  key?: PropertyKey;
  parent?: Visit;
}

function pathOf(visit: Visit): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) path.push(at.key!);
  return path.reverse();
}

/** Details for every unsafe key in `input`; iterative, as bodies may nest thousands of levels deep. */
export function unsafeKeyDetails(input: unknown, prefix?: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const stack: Visit[] = [{ value: input }];
  while (stack.length > 0 && details.length < MAX_KEY_DETAILS) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: visit });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child: Visit = { value: (value as Record<string, unknown>)[key], key, parent: visit };
      if (UNSAFE_KEY.test(key)) details.push({ field: fieldPath(prefix, pathOf(child)), issue: `不支持的字段名：${key}` });
      else stack.push(child);
    }
  }
  return details;
}

/**
 * ctx.request.body when the request carried a body that is not JSON (see json-body.ts):
 * parseInput answers it with 415; routes that read other types themselves never look.
 */
export const UNREAD_BODY: unknown = Object.freeze(Object.create(null));

/** Parses input with a zod schema, turning failures into a 400 listing each field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  if (input === UNREAD_BODY) {
    // The body was never read: close rather than drain it.
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求内容须为 JSON（Content-Type: application/json）', undefined, { Connection: 'close' });
  }
  const unsafe = unsafeKeyDetails(input, prefix);
  if (unsafe.length > 0) throw validationFailed(unsafe);
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(zodDetails(result.error, prefix));
  return result.data;
}
