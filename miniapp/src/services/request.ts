import { errorEnvelopeSchema, friendlyMessage, type ErrorDetail } from '@ssp/shared';
import type { z } from 'zod';

/** The little HTTP contract the wrapper needs; Taro.request and fetch both fit it. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  header: Record<string, string>;
  data?: unknown;
  timeout?: number;
}
export interface HttpResponse {
  statusCode: number;
  data: unknown;
  header: Record<string, string>;
}
export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** Every failed call surfaces as one of these, with a message fit to show a citizen. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  transport: Transport;
  getAccessToken?: () => string | null | undefined;
  /** Called once on a 401 with TOKEN_EXPIRED; resolve true when a new token is in place. */
  refreshAccessToken?: () => Promise<boolean>;
  timeoutMs?: number;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  schema?: S;
  headers?: Record<string, string>;
}

type Result<S> = S extends z.ZodType ? z.output<S> : unknown;

export function buildUrl(baseUrl: string, path: string, query?: RequestOptions<undefined>['query']): string {
  const base = baseUrl.replace(/\/+$/, '');
  const parts = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${base}${path.startsWith('/') ? path : `/${path}`}${parts.length ? `?${parts.join('&')}` : ''}`;
}

function headerValue(header: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(header).find((k) => k.toLowerCase() === name);
  return key ? header[key] : undefined;
}

function toError(res: HttpResponse): ApiRequestError {
  const requestId = headerValue(res.header, 'x-request-id');
  const parsed = errorEnvelopeSchema.safeParse(res.data);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    // The API's message is already Chinese; fall back to the code's default text.
    return new ApiRequestError(res.statusCode, code, message || friendlyMessage(code), details ?? [], requestId);
  }
  const code = res.statusCode >= 500 ? 'INTERNAL' : 'BAD_RESPONSE';
  return new ApiRequestError(res.statusCode, code, friendlyMessage(code, '服务返回了无法识别的内容'), [], requestId);
}

export function createApiClient(options: ApiClientOptions) {
  async function send(method: HttpRequest['method'], path: string, opts: RequestOptions<z.ZodType | undefined>): Promise<HttpResponse> {
    const header: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) header['Content-Type'] = 'application/json';
    const token = options.getAccessToken?.();
    if (token) header.Authorization = `Bearer ${token}`;
    try {
      return await options.transport({
        url: buildUrl(options.baseUrl, path, opts.query),
        method,
        header,
        data: opts.body,
        timeout: options.timeoutMs ?? 15000,
      });
    } catch {
      throw new ApiRequestError(0, 'NETWORK_ERROR', '网络不给力，请检查网络后重试');
    }
  }

  async function request<S extends z.ZodType | undefined = undefined>(
    method: HttpRequest['method'],
    path: string,
    opts: RequestOptions<S> = {},
  ): Promise<Result<S>> {
    let res = await send(method, path, opts);
    if (res.statusCode === 401 && options.refreshAccessToken) {
      const err = toError(res);
      if (err.code === 'TOKEN_EXPIRED' && (await options.refreshAccessToken())) {
        res = await send(method, path, opts);
      }
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw toError(res);
    if (!opts.schema) return res.data as Result<S>;
    const parsed = opts.schema.safeParse(res.data);
    if (!parsed.success) throw new ApiRequestError(res.statusCode, 'BAD_RESPONSE', '服务返回了无法识别的内容');
    return parsed.data as Result<S>;
  }

  return {
    request,
    get: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('GET', path, opts),
    post: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('POST', path, opts),
    put: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('PUT', path, opts),
    patch: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('PATCH', path, opts),
    delete: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('DELETE', path, opts),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
