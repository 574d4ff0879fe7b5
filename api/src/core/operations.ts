import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { contract, ISSUED_ID_SCHEMAS, type Caller, type ContractOperation, type Operation, type OperationId } from '@ssp/shared';
import type { Principal } from '../auth/tokens';
import { ApiError, notFound, parseInput, validationFailed, zodDetails } from './errors';

/*
 * Routes are registered from the contract table (shared/src/contract.ts): its method and
 * path, its access rule (checked here, before the handler runs) and its params, query and
 * JSON body (parsed here with its schemas). A domain supplies only handlers, keyed by
 * operation id; `buildRouter` refuses to start unless every operation has exactly one.
 * So a route's rules live in one place, the contract, and its behaviour in its domain.
 */

type Part<O, F extends string> = O extends { [P in F]: infer S extends z.ZodType } ? z.output<S> : undefined;
type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
type CitizenPrincipal = Extract<Principal, { kind: 'citizen' }>;

/** Who the handler is talking to, narrowed by the operation's access rule. */
type CallerOf<O> = O extends { access: readonly (infer C extends Caller)[] }
  ? [Exclude<C, 'citizen'>] extends [never]
    ? CitizenPrincipal
    : 'citizen' extends C
      ? Principal
      : StaffPrincipal
  : Principal | null;

/** JSON bodies are parsed for the handler; multipart, Open311 forms, signed calls and city data files the handler reads itself. */
type BodyOf<O> = O extends { bodyMediaType: 'multipart/form-data' | 'open311-form' } | { access: 'signed' } | { bodyCheckedByDomain: true }
  ? undefined
  : Part<O, 'body'>;

export interface OperationInput<K extends OperationId> {
  params: Part<Operation<K>, 'params'>;
  query: Part<Operation<K>, 'query'>;
  body: BodyOf<Operation<K>>;
  caller: CallerOf<Operation<K>>;
}

/**
 * Answers the body to send (status: the operation's first declared success status), or
 * undefined when it has set ctx itself (other media, 304, a chosen status).
 */
export type OperationHandler<K extends OperationId> = (input: OperationInput<K>, ctx: Context) => unknown;

/** A handler, or a handler with middleware that runs after access and before input parsing. */
export type HandlerEntry<K extends OperationId> = OperationHandler<K> | { use: Middleware[]; handle: OperationHandler<K> };

export type OperationsOfTag<T extends string> = { [K in OperationId]: Operation<K>['tag'] extends T ? K : never }[OperationId];

/** What a domain supplies: a handler for each of its operations. */
export type Handlers<K extends OperationId> = { [P in K]: HandlerEntry<P> };

function principalOf(ctx: Context): Principal | null {
  return (ctx.state.principal as Principal | undefined) ?? null;
}

/** The access rule as a guard: public and signed routes pass (signed ones check their signature in the handler). */
export function accessGuard(op: ContractOperation): (ctx: Context) => Principal | null {
  const access = op.access;
  if (access === 'public' || access === 'signed') return principalOf;
  const citizens = access.includes('citizen');
  const roles = access.filter((c): c is Exclude<Caller, 'citizen'> => c !== 'citizen');
  return (ctx) => {
    const principal = principalOf(ctx);
    if (!principal) throw new ApiError(401, 'UNAUTHENTICATED');
    if (principal.kind === 'citizen') {
      if (!citizens) throw new ApiError(403, 'FORBIDDEN');
    } else if (!roles.includes(principal.role)) {
      throw new ApiError(403, 'FORBIDDEN', roles.length === 0 ? '仅限市民使用' : undefined);
    }
    return principal;
  };
}

/** A malformed id the API issues names nothing: 404, as an unknown id is; other bad parameters are 400. */
function parsePathParams(schema: z.ZodObject, params: Record<string, unknown>): unknown {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => String(issue.path[0]));
  if (fields.some((field) => ISSUED_ID_SCHEMAS.has(schema.shape[field] as z.ZodType))) throw notFound();
  return parseInput(schema, params);
}

/** Open311 tolerates parameters it does not define (its specification says so): they are dropped, not refused. */
function parseQuery(op: ContractOperation, query: unknown): unknown {
  if (!op.open311) return parseInput(op.query!, query);
  const parsed = op.query!.safeParse(query);
  if (!parsed.success) throw validationFailed(zodDetails(parsed.error));
  return parsed.data;
}

function successStatus(op: ContractOperation): number {
  return Math.min(
    ...Object.keys(op.responses)
      .map(Number)
      .filter((s) => s >= 200 && s < 300),
  );
}

/**
 * A plain object or array is sent as the JSON Koa would make of it, serialised here once:
 * given the object, Koa stringifies it for its length (koa-compress asks) and again to send.
 */
function setBody(ctx: Context, body: unknown): void {
  if (body !== null && typeof body === 'object' && (Array.isArray(body) || Object.getPrototypeOf(body) === Object.prototype)) {
    // As Koa types a JSON body: kept when the handler chose a JSON type, else application/json.
    if (!/\bjson\b/i.test(ctx.type)) ctx.type = 'json';
    ctx.body = JSON.stringify(body);
  } else {
    ctx.body = body;
  }
}

function register(router: Router, id: OperationId, entry: HandlerEntry<OperationId>): void {
  const op: ContractOperation = contract[id];
  const guard = accessGuard(op);
  const handle = typeof entry === 'function' ? entry : entry.handle;
  const use = typeof entry === 'function' ? [] : entry.use;
  // A signed call's body is parsed only once its signature is checked (by the handler).
  const readsJsonBody =
    op.body !== undefined && op.access !== 'signed' && !op.bodyCheckedByDomain && (op.bodyMediaType ?? 'application/json') === 'application/json';
  const status = successStatus(op);

  const checkAccess: Middleware = async (ctx, next) => {
    ctx.state.caller = guard(ctx);
    await next();
  };
  const run: Middleware = async (ctx) => {
    const input = {
      params: op.params ? parsePathParams(op.params, ctx.params) : undefined,
      query: op.query ? parseQuery(op, ctx.query) : undefined,
      body: readsJsonBody ? parseInput(op.body!, ctx.request.body) : undefined,
      caller: ctx.state.caller as Principal | null,
    };
    ctx.status = status;
    const body = await (handle as OperationHandler<OperationId>)(input as never, ctx);
    if (body !== undefined) setBody(ctx, body);
  };
  router.register(op.path, [op.method.toUpperCase()], [checkAccess, ...use, run], { name: id });
}

/** One router serving every operation of the contract with the handlers given. */
export function operationsRouter(handlers: Handlers<OperationId>): Router {
  const router = new Router();
  for (const id of Object.keys(contract) as OperationId[]) {
    const entry = handlers[id];
    if (!entry) throw new Error(`no handler for operation ${id}`);
    register(router, id, entry as HandlerEntry<OperationId>);
  }
  const unknown = Object.keys(handlers).filter((id) => !(id in contract));
  if (unknown.length) throw new Error(`handlers for operations not in the contract: ${unknown.join(', ')}`);
  return router;
}

/** Merges domains' handler tables; an operation handled twice is a startup error. */
export function mergeHandlers(...tables: Partial<Handlers<OperationId>>[]): Partial<Handlers<OperationId>> {
  const merged: Partial<Record<OperationId, unknown>> = {};
  for (const table of tables) {
    for (const [id, entry] of Object.entries(table) as [OperationId, unknown][]) {
      if (merged[id]) throw new Error(`operation ${id} has two handlers`);
      merged[id] = entry;
    }
  }
  return merged as Partial<Handlers<OperationId>>;
}
