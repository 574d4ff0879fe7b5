import { z } from 'zod';
import { contract, type OperationId } from './contract';
import { ERROR_MESSAGES_ZH, errorEnvelopeSchema, isErrorCode, type ErrorCode, type ErrorDetail } from './errors';

/*
 * The one HTTP client of the API, derived from the contract table (./contract.ts):
 * `client.call('getMyReport', { params: { id } })` is typed by the operation's params,
 * query, body and success responses, builds the path, sends the token, refreshes an
 * expired one once, validates the answer with the operation's schema and turns every
 * failure into an ApiRequestError. The mini-program, the tests, e2e, the fuzz seeding
 * and the benches all use it, each with its own transport (Taro.request or fetch).
 */

// ---- transport: the little HTTP contract the client needs; Taro.request and fetch both fit it

export type HttpMethodUpper = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  url: string;
  method: HttpMethodUpper;
  header: Record<string, string>;
  /** JSON-able value (sent as JSON), or a FormData, URLSearchParams, string or bytes sent as they are. */
  data?: unknown;
  timeout?: number;
}
export interface HttpResponse {
  statusCode: number;
  /** Parsed JSON for JSON answers, text for other text, bytes otherwise. */
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

// ---- types derived from the contract

type Contract = typeof contract;
type Op<K extends OperationId> = Contract[K];
/** `{}` as a type: an input with no required keys (every key optional) extends it. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type NoRequiredKeys = {};
type Part<O, F extends string> = O extends { [P in F]: infer S extends z.ZodType } ? S : never;

/** `{ key: T }`, `{ key?: T }` when every field is optional, nothing when the operation has no such part. */
type InputPart<Key extends string, S> = [S] extends [never]
  ? unknown
  : S extends z.ZodType
    ? NoRequiredKeys extends z.input<S>
      ? { [P in Key]?: z.input<S> }
      : { [P in Key]: z.input<S> }
    : unknown;

type BodyPart<O> = O extends { bodyMediaType: 'multipart/form-data' }
  ? { body: FormData }
  : O extends { bodyMediaType: 'open311-form' }
    ? { body: z.input<Part<O, 'body'>> | URLSearchParams }
    : InputPart<'body', Part<O, 'body'>>;

/** Query strings carry text: where a query field takes any string, a number is fine too. */
type QueryInput<T> = { [P in keyof T]: string extends NonNullable<T[P]> ? T[P] | number : T[P] };
type QueryPart<S> = [S] extends [never]
  ? unknown
  : S extends z.ZodType
    ? NoRequiredKeys extends z.input<S>
      ? { query?: QueryInput<z.input<S>> }
      : { query: QueryInput<z.input<S>> }
    : unknown;

export type OperationInput<K extends OperationId> = InputPart<'params', Part<Op<K>, 'params'>> &
  QueryPart<Part<Op<K>, 'query'>> &
  BodyPart<Op<K>> & { headers?: Record<string, string> };

type SuccessStatus = 200 | 201 | 202 | 204;
type BodyOf<R> = R extends z.ZodType ? z.output<R> : R extends null ? undefined : unknown;
type Responses<K extends OperationId> = Op<K>['responses'];

/** What a successful call answers (JSON validated with the contract's schema; other media as received). */
export type OperationOutput<K extends OperationId> = {
  [S in keyof Responses<K>]: S extends SuccessStatus ? BodyOf<Responses<K>[S]> : never;
}[keyof Responses<K>];

type InputArgs<K extends OperationId> = NoRequiredKeys extends OperationInput<K> ? [input?: OperationInput<K>] : [input: OperationInput<K>];

/** A raw answer: status, parsed body and headers (lower-case names), never thrown for a 4xx/5xx. */
export interface RawResponse {
  status: number;
  // Tests inspect any shape, including error envelopes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Record<string, string>;
}

// ---- helpers

export type QueryValues = Record<string, string | number | boolean | undefined | null>;

export function buildUrl(baseUrl: string, path: string, query?: QueryValues): string {
  const base = baseUrl.replace(/\/+$/, '');
  const parts = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${base}${path.startsWith('/') ? path : `/${path}`}${parts.length ? `?${parts.join('&')}` : ''}`;
}

/** `/me/reports/:id` with `{ id }` → `/me/reports/65f…`. */
export function fillPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') throw new Error(`missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function headerValue(header: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(header).find((k) => k.toLowerCase() === name);
  return key ? header[key] : undefined;
}

function lowerCaseHeaders(header: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k.toLowerCase(), v]));
}

/** An envelope whatever its code: read only when the strict schema refused the code. */
const anyCodeEnvelopeSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function toApiError(res: HttpResponse): ApiRequestError {
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
export function parseBody<S extends z.ZodType>(schema: S, res: HttpResponse): z.output<S> {
  const parsed = schema.safeParse(res.data);
  if (!parsed.success) throw new ApiRequestError(res.statusCode, 'BAD_RESPONSE', requestErrorMessage('BAD_RESPONSE'));
  return parsed.data;
}

// Mini-program runtimes lack some web globals: test for them before using instanceof.
function isSearchParams(data: unknown): data is URLSearchParams {
  return typeof URLSearchParams !== 'undefined' && data instanceof URLSearchParams;
}

function isRawBody(data: unknown): boolean {
  return (
    typeof data === 'string' ||
    (typeof FormData !== 'undefined' && data instanceof FormData) ||
    isSearchParams(data) ||
    (typeof ArrayBuffer !== 'undefined' && (data instanceof ArrayBuffer || ArrayBuffer.isView(data)))
  );
}

/** A transport over fetch (Node 18+, browsers): JSON in and out, other bodies as they are. */
export function fetchTransport(fetchImpl: typeof fetch = fetch): Transport {
  return async (req) => {
    const headers = { ...req.header };
    let body: RequestInit['body'];
    if (req.data !== undefined) {
      if (isRawBody(req.data)) {
        body = req.data as RequestInit['body'];
        if (typeof FormData !== 'undefined' && req.data instanceof FormData) delete headers['Content-Type'];
      } else {
        body = JSON.stringify(req.data);
      }
    }
    const res = await fetchImpl(req.url, {
      method: req.method,
      headers,
      body,
      signal: req.timeout ? AbortSignal.timeout(req.timeout) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    let data: unknown;
    if (/json/.test(type)) {
      const text = await res.text();
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        data = text;
      }
    } else if (/^text\/|xml|html/.test(type) || !type) {
      data = await res.text();
    } else {
      data = new Uint8Array(await res.arrayBuffer());
    }
    const header: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      header[name] = value;
    });
    return { statusCode: res.status, data, header };
  };
}

// ---- the client

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
  /** Validate JSON answers with the contract's schemas (on by default; load generators turn it off). */
  validateResponses?: boolean;
}

interface RequestParts {
  query?: QueryValues;
  body?: unknown;
  headers?: Record<string, string>;
}

export function createApiClient(options: ApiClientOptions) {
  const refresh = options.refreshAccessToken ? singleFlight(options.refreshAccessToken) : undefined;
  const validate = options.validateResponses ?? true;

  function authHeader(): Record<string, string> {
    const token = options.getAccessToken?.();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  /**
   * Runs one exchange with the current token; on 401 TOKEN_EXPIRED refreshes once
   * (shared with every concurrent caller) and runs it again. Network failures become
   * NETWORK_ERROR. Answers whatever status came back (see `exchange` for the throwing form).
   */
  async function exchangeAny(exec: (auth: Record<string, string>) => Promise<HttpResponse>): Promise<HttpResponse> {
    const run = async (): Promise<{ res: HttpResponse; token: string | undefined }> => {
      const auth = authHeader();
      try {
        return { res: await exec(auth), token: auth.Authorization };
      } catch (err) {
        if (err instanceof ApiRequestError) throw err;
        throw new ApiRequestError(0, 'NETWORK_ERROR', requestErrorMessage('NETWORK_ERROR'));
      }
    };
    const first = await run();
    const { token } = first;
    let { res } = first;
    // An expired token is refreshed; a request sent with no token at all gets one chance
    // for the hook to sign in silently (WeChat login).
    const code = res.statusCode === 401 ? toApiError(res).code : null;
    if (refresh && (code === 'TOKEN_EXPIRED' || (code === 'UNAUTHENTICATED' && !token))) {
      // Another request may have refreshed while this one was in flight: then just retry.
      const renewed = authHeader().Authorization !== token && !!authHeader().Authorization;
      if (renewed || (await refresh())) ({ res } = await run());
    }
    return res;
  }

  /** As exchangeAny, but a non-2xx answer is thrown as an ApiRequestError. Used for uploads too. */
  async function exchange(exec: (auth: Record<string, string>) => Promise<HttpResponse>): Promise<HttpResponse> {
    const res = await exchangeAny(exec);
    if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res);
    return res;
  }

  function send(method: HttpMethodUpper, path: string, parts: RequestParts) {
    return (auth: Record<string, string>) => {
      const header: Record<string, string> = { Accept: 'application/json', ...parts.headers, ...auth };
      if (parts.body !== undefined && !isRawBody(parts.body)) header['Content-Type'] = 'application/json';
      if (isSearchParams(parts.body)) header['Content-Type'] = 'application/x-www-form-urlencoded';
      return options.transport({
        url: buildUrl(options.baseUrl, path, parts.query),
        method,
        header,
        data: isSearchParams(parts.body) ? parts.body.toString() : parts.body,
        timeout: options.timeoutMs ?? 15000,
      });
    };
  }

  function partsOf(id: OperationId, input: Record<string, unknown> = {}) {
    const op = contract[id];
    return {
      op,
      method: op.method.toUpperCase() as HttpMethodUpper,
      path: fillPath(op.path, input.params as Record<string, unknown> | undefined),
      parts: { query: input.query as QueryValues | undefined, body: input.body, headers: input.headers as Record<string, string> | undefined },
    };
  }

  /** Calls an operation; resolves with its success status and validated body, rejects with ApiRequestError. */
  async function callWithStatus<K extends OperationId>(id: K, ...[input]: InputArgs<K>): Promise<{ status: number; body: OperationOutput<K> }> {
    const { op, method, path, parts } = partsOf(id, input as Record<string, unknown> | undefined);
    const res = await exchange(send(method, path, parts));
    const schema = (op.responses as Record<number, unknown>)[res.statusCode];
    const typed = validate && schema && typeof (schema as z.ZodType).safeParse === 'function';
    return { status: res.statusCode, body: (typed ? parseBody(schema as z.ZodType, res) : res.data) as OperationOutput<K> };
  }

  /** Calls an operation; resolves with its validated success body, rejects with ApiRequestError. */
  async function call<K extends OperationId>(id: K, ...args: InputArgs<K>): Promise<OperationOutput<K>> {
    return (await callWithStatus(id, ...args)).body;
  }

  /** Calls an operation and answers status, body and headers whatever the status (tests of errors). */
  async function callRaw<K extends OperationId>(id: K, ...[input]: InputArgs<K>): Promise<RawResponse> {
    const { method, path, parts } = partsOf(id, input as Record<string, unknown> | undefined);
    const res = await exchangeAny(send(method, path, parts));
    return { status: res.statusCode, body: res.data, headers: lowerCaseHeaders(res.header) };
  }

  /**
   * A request outside the contract's types: malformed bodies, unknown paths, hostile input.
   * Only tests and fuzzers need it.
   */
  async function unchecked(method: HttpMethodUpper, path: string, parts: RequestParts = {}): Promise<RawResponse> {
    const res = await exchangeAny(send(method, path, parts));
    return { status: res.statusCode, body: res.data, headers: lowerCaseHeaders(res.header) };
  }

  return {
    call,
    callWithStatus,
    callRaw,
    unchecked,
    exchange,
    url: (path: string, query?: QueryValues) => buildUrl(options.baseUrl, path, query),
    /** The URL of an operation (for <Image src>, downloads). */
    urlOf: <K extends OperationId>(id: K, params?: Record<string, unknown>, query?: QueryValues) =>
      buildUrl(options.baseUrl, fillPath(contract[id].path, params), query),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
