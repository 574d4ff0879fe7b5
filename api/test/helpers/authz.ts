import jwt from 'jsonwebtoken';
import type Koa from 'koa';
import type { Connection } from 'mongoose';
import { buildApp } from '../../src/app';
import { createLogger } from '../../src/core/logger';
import { apiClient, type TestApi } from './harness';

/** Access tokens an attacker could present; every one must be refused with 401 on every route. */
export const BAD_TOKENS = ['expired', 'tampered', 'flipped', 'wrongSecret', 'refreshToken', 'algNone', 'malformedHeader'] as const;
export type BadToken = (typeof BAD_TOKENS)[number];

const ISSUER = 'suishoupai';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Authorization headers carrying forged or misused credentials of a real citizen:
 * - expired: signed with the right secret, `exp` a minute ago;
 * - tampered: the citizen's real token with the payload rewritten to an admin, signature kept;
 * - flipped: the citizen's real token with one character of the payload changed;
 * - wrongSecret: a well-formed admin token signed with another secret;
 * - refreshToken: the citizen's (opaque) refresh token presented as an access token;
 * - algNone: an unsigned (`alg: none`) token claiming the citizen is an admin;
 * - malformedHeader: a Basic credential instead of a bearer token.
 */
export function badTokenHeaders(
  secret: string,
  victim: { userId: string; accessToken: string; refreshToken: string },
): Record<BadToken, { authorization: string }> {
  const [header, payload, signature] = victim.accessToken.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const middle = Math.floor(payload.length / 2);
  const flipped = `${payload.slice(0, middle)}${payload[middle] === 'A' ? 'B' : 'A'}${payload.slice(middle + 1)}`;
  const now = Math.floor(Date.now() / 1000);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    expired: bearer(jwt.sign({ sub: victim.userId, typ: 'citizen', iat: now - 3600, exp: now - 60 }, secret, { algorithm: 'HS256', issuer: ISSUER })),
    tampered: bearer(`${header}.${b64({ ...claims, typ: 'staff', role: 'admin' })}.${signature}`),
    flipped: bearer(`${header}.${flipped}.${signature}`),
    wrongSecret: bearer(
      jwt.sign({ sub: victim.userId, typ: 'staff', role: 'admin' }, 'another-secret-that-is-long-enough-0123456789', {
        algorithm: 'HS256',
        issuer: ISSUER,
        expiresIn: 900,
      }),
    ),
    refreshToken: bearer(victim.refreshToken),
    algNone: bearer(
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: victim.userId, typ: 'staff', role: 'admin', iss: ISSUER, iat: now, exp: now + 900 })}.`,
    ),
    malformedHeader: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  };
}

/** The routes the API registers, as "METHOD /path" (HEAD, which Koa adds to every GET, left out). */
export function registeredRoutes(api: TestApi): string[] {
  const app: Koa = buildApp({ config: api.config, db: api.db, logger: createLogger('silent'), version: 'test', services: api.services });
  const dispatch = app.middleware.find((m) => (m as { router?: unknown }).router) as unknown as {
    router: { stack: { methods: string[]; path: string }[] };
  };
  const routes = dispatch.router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`));
  return [...new Set(routes)].sort();
}

/** Every document of every collection, as JSON, to prove that refused calls changed nothing. */
export async function snapshotDatabase(db: Connection): Promise<Record<string, unknown[]>> {
  const names = (await db.db!.listCollections().toArray()).map((c) => c.name).sort();
  const out: Record<string, unknown[]> = {};
  for (const name of names) out[name] = await db.db!.collection(name).find().sort({ _id: 1 }).toArray();
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown[]>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined for other bodies. */
  json: any;
}

/** One HTTP call with an optional JSON body through the client's `unchecked`; answers status, headers, text and JSON. */
export async function call(api: TestApi, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const res = await apiClient(api.url).unchecked(method as 'GET', path, { headers, body });
  const isJson = (res.headers['content-type'] ?? '').includes('json');
  const text =
    res.body === undefined
      ? ''
      : typeof res.body === 'string'
        ? res.body
        : res.body instanceof Uint8Array
          ? Buffer.from(res.body).toString('utf8')
          : JSON.stringify(res.body);
  return { status: res.status, headers: new Headers(res.headers), text, json: isJson && typeof res.body === 'object' ? res.body : undefined };
}
