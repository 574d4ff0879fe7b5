import type { ErrorCode, ErrorDetail } from '@ssp/shared';
import { friendlyMessage } from '@ssp/shared';
import type { z } from 'zod';

/** An error the API answers on purpose: a status, a code from shared/errors and a message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message?: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? friendlyMessage(code));
  }
}

export const badRequest = (code: string, message?: string, details?: ErrorDetail[]) =>
  new ApiError(400, code, message, details);
export const validationFailed = (details: ErrorDetail[], message?: string) =>
  new ApiError(400, 'VALIDATION_FAILED', message, details);
export const unauthenticated = (message?: string, code = 'UNAUTHENTICATED') => new ApiError(401, code, message);
export const forbidden = (message?: string, code = 'FORBIDDEN') => new ApiError(403, code, message);
export const notFound = (message?: string, code = 'NOT_FOUND') => new ApiError(404, code, message);
export const conflict = (code = 'CONFLICT', message?: string, details?: ErrorDetail[]) =>
  new ApiError(409, code, message, details);
export const unprocessable = (code: string, message?: string, details?: ErrorDetail[]) =>
  new ApiError(422, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message?: string, code = 'RATE_LIMITED') =>
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

/** Parses input with a zod schema, turning failures into a 400 listing each field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(zodDetails(result.error, prefix));
  return result.data;
}
