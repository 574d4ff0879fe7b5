import sharp from 'sharp';
import type { ApiClient } from '@ssp/shared';
import { apiClient, type TestApi } from './harness';

export interface TestCitizen {
  id: string;
  token: string;
  auth: { authorization: string };
  /** The typed client, signed in as this citizen. */
  api: ApiClient;
}

/** Logs a demo citizen in through the dev login (the API must run with DEV_LOGIN_ENABLED=true). */
export async function loginCitizen(api: Pick<TestApi, 'url'>, devUser: string, nickname?: string): Promise<TestCitizen> {
  const body = await apiClient(api.url).call('devLogin', { body: { devUser, nickname } });
  return {
    id: body.user.id,
    token: body.accessToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
    api: apiClient(api.url, body.accessToken),
  };
}

/** Logs a citizen in with a WeChat login code (from the loopback WeChat fake). */
export async function loginWithWeChatCode(api: Pick<TestApi, 'url'>, code: string): Promise<TestCitizen> {
  const body = await apiClient(api.url).call('wechatLogin', { body: { code } });
  return {
    id: body.user.id,
    token: body.accessToken,
    auth: { authorization: `Bearer ${body.accessToken}` },
    api: apiClient(api.url, body.accessToken),
  };
}

let photoSeed = 0;

/** A small real JPEG, different each call (so content hashes differ). */
export async function makeJpeg(width = 640, height = 480): Promise<Buffer> {
  photoSeed += 1;
  return sharp({ create: { width, height, channels: 3, background: { r: (photoSeed * 37) % 256, g: (photoSeed * 91) % 256, b: 120 } } })
    .jpeg()
    .toBuffer();
}

/** The bearer token in `{ authorization: 'Bearer …' }`. */
export function tokenOf(who: { auth: { authorization: string } }): string {
  return who.auth.authorization.replace(/^Bearer\s+/i, '');
}

export async function uploadPhotos(api: Pick<TestApi, 'url'>, who: { auth: { authorization: string } }, count = 1): Promise<string[]> {
  const form = new FormData();
  for (let i = 0; i < count; i += 1) {
    form.append('photos', new Blob([new Uint8Array(await makeJpeg())], { type: 'image/jpeg' }), `p${i}.jpg`);
  }
  const body = await apiClient(api.url, tokenOf(who)).call('uploadPhotos', { body: form });
  return body.photos.map((p) => p.id);
}

/** A raw answer as the tests read it: status, JSON body (or text) and fetch-style headers. */
export interface RawAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * Requests outside the typed calls (any path, any body, for error cases), still through
 * the one client, `unchecked`. A header `authorization` is sent as given.
 */
export async function rawRequest(
  api: Pick<TestApi, 'url'>,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const res = await apiClient(api.url).unchecked(method, path, { body, headers });
  return { status: res.status, body: res.body, headers: new Headers(res.headers) };
}

export const postJson = (api: Pick<TestApi, 'url'>, path: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(api, 'POST', path, body, headers);
export const patchJson = (api: Pick<TestApi, 'url'>, path: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(api, 'PATCH', path, body, headers);
export const getJson = (api: Pick<TestApi, 'url'>, path: string, headers: Record<string, string> = {}) =>
  rawRequest(api, 'GET', path, undefined, headers);
