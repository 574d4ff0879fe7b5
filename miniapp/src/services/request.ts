import { ERROR_MESSAGES_ZH, errorEnvelopeSchema, isErrorCode, type ErrorCode, type ErrorDetail } from '@ssp/shared';
import { z } from 'zod';

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

/**
 * Failures the client names itself, where no API answer carries a code: the network
 * failed, the answer was not what the contract says, the user cancelled, or an API newer
 * than this build (WeChat keeps old versions running) answered with a code it does not know.
 */
export const CLIENT_ERROR_MESSAGES_ZH = {
  NETWORK_ERROR: '网络不给力，请检查网络后重试',
  BAD_RESPONSE: '服务返回了无法识别的内容',
  ABORTED: '已取消',
  UNKNOWN_API_ERROR: '操作未成功，请稍后重试',
} as const;
export type ClientErrorCode = keyof typeof CLIENT_ERROR_MESSAGES_ZH;

/** What ApiRequestError.code can be: a code of the API's closed list, or the client's own. */
export type RequestErrorCode = ErrorCode | ClientErrorCode;

/** The default text for a code, for when the answer carried no message of its own. */
export function requestErrorMessage(code: RequestErrorCode): string {
  return isErrorCode(code) ? ERROR_MESSAGES_ZH[code] : CLIENT_ERROR_MESSAGES_ZH[code];
}

/** Every failed call surfaces as one of these, with a message fit to show a citizen. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: RequestErrorCode,
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
  /**
   * Called on a 401 with TOKEN_EXPIRED; resolve true when a new token is in place.
   * Concurrent 401s share one call.
   */
  refreshAccessToken?: () => Promise<boolean>;
  timeoutMs?: number;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  schema?: S;
  headers?: Record<string, string>;
}

export type Result<S> = S extends z.ZodType ? z.output<S> : unknown;

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

/** An envelope whatever its code: read only when the strict schema refused the code. */
const anyCodeEnvelopeSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function toError(res: HttpResponse): ApiRequestError {
  const requestId = headerValue(res.header, 'x-request-id');
  const parsed = errorEnvelopeSchema.safeParse(res.data);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    // The API's message is already Chinese; fall back to the code's default text.
    return new ApiRequestError(res.statusCode, code, message || requestErrorMessage(code), details ?? [], requestId);
  }
  // A code this build does not know: its message is still meant for the citizen.
  const unknown = anyCodeEnvelopeSchema.safeParse(res.data);
  if (unknown.success && !isErrorCode(unknown.data.error.code)) {
    const { message } = unknown.data.error;
    return new ApiRequestError(res.statusCode, 'UNKNOWN_API_ERROR', message || requestErrorMessage('UNKNOWN_API_ERROR'), [], requestId);
  }
  const code = res.statusCode >= 500 ? 'INTERNAL' : 'BAD_RESPONSE';
  return new ApiRequestError(res.statusCode, code, requestErrorMessage(code), [], requestId);
}

/**
 * Wraps an async function so concurrent callers share one run: ten requests that all
 * meet an expired token trigger one refresh, and all wait for it.
 */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    if (!running) {
      running = fn().finally(() => {
        running = null;
      });
    }
    return running;
  };
}

/** Parses a 2xx body with a schema; a mismatch means the client and server disagree. */
export function parseBody<S extends z.ZodType | undefined>(schema: S, res: HttpResponse): Result<S> {
  if (!schema) return res.data as Result<S>;
  const parsed = schema.safeParse(res.data);
  if (!parsed.success) throw new ApiRequestError(res.statusCode, 'BAD_RESPONSE', requestErrorMessage('BAD_RESPONSE'));
  return parsed.data as Result<S>;
}

export function createApiClient(options: ApiClientOptions) {
  const refresh = options.refreshAccessToken ? singleFlight(options.refreshAccessToken) : undefined;

  function authHeader(): Record<string, string> {
    const token = options.getAccessToken?.();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /**
   * Runs one exchange with the current token; on 401 TOKEN_EXPIRED refreshes once
   * (shared with every concurrent caller) and runs it again. Network failures become
   * NETWORK_ERROR. Used for JSON requests and for file uploads alike.
   */
  async function exchange(exec: (auth: Record<string, string>) => Promise<HttpResponse>): Promise<HttpResponse> {
    const run = async (): Promise<{ res: HttpResponse; token: string | undefined }> => {
      const auth = authHeader();
      try {
        return { res: await exec(auth), token: auth.Authorization };
      } catch (err) {
        if (err instanceof ApiRequestError) throw err;
        throw new ApiRequestError(0, 'NETWORK_ERROR', requestErrorMessage('NETWORK_ERROR'));
      }
    };
    let { res, token } = await run();
    // An expired token is refreshed; a request sent with no token at all gets one chance
    // for the hook to sign in silently (WeChat login).
    const code = res.statusCode === 401 ? toError(res).code : null;
    if (refresh && (code === 'TOKEN_EXPIRED' || (code === 'UNAUTHENTICATED' && !token))) {
      // Another request may have refreshed while this one was in flight: then just retry.
      const renewed = authHeader().Authorization !== token && !!authHeader().Authorization;
      if (renewed || (await refresh())) ({ res } = await run());
    }
    if (res.statusCode < 200 || res.statusCode >= 300) throw toError(res);
    return res;
  }

  /** One JSON request; the raw 2xx response (for callers that need the status code). */
  function requestRaw(method: HttpRequest['method'], path: string, opts: RequestOptions<z.ZodType | undefined> = {}): Promise<HttpResponse> {
    return exchange((auth) => {
      const header: Record<string, string> = { Accept: 'application/json', ...opts.headers, ...auth };
      if (opts.body !== undefined) header['Content-Type'] = 'application/json';
      return options.transport({
        url: buildUrl(options.baseUrl, path, opts.query),
        method,
        header,
        data: opts.body,
        timeout: options.timeoutMs ?? 15000,
      });
    });
  }

  async function request<S extends z.ZodType | undefined = undefined>(
    method: HttpRequest['method'],
    path: string,
    opts: RequestOptions<S> = {},
  ): Promise<Result<S>> {
    return parseBody(opts.schema as S, await requestRaw(method, path, opts));
  }

  return {
    request,
    requestRaw,
    exchange,
    url: (path: string, query?: RequestOptions<undefined>['query']) => buildUrl(options.baseUrl, path, query),
    get: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('GET', path, opts),
    post: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('POST', path, opts),
    put: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('PUT', path, opts),
    patch: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('PATCH', path, opts),
    delete: <S extends z.ZodType | undefined = undefined>(path: string, opts?: RequestOptions<S>) => request('DELETE', path, opts),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
