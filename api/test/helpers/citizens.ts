import sharp from 'sharp';
import type { TestApi } from './harness';

export interface TestCitizen {
  id: string;
  token: string;
  auth: { authorization: string };
}

/** Logs a demo citizen in through the dev login (the API must run with DEV_LOGIN_ENABLED=true). */
export async function loginCitizen(api: TestApi, devUser: string, nickname?: string): Promise<TestCitizen> {
  const res = await fetch(`${api.url}/auth/dev-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ devUser, nickname }),
  });
  if (res.status !== 200) throw new Error(`dev login failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string; user: { id: string } };
  return { id: body.user.id, token: body.accessToken, auth: { authorization: `Bearer ${body.accessToken}` } };
}

let photoSeed = 0;

/** A small real JPEG, different each call (so content hashes differ). */
export async function makeJpeg(width = 640, height = 480): Promise<Buffer> {
  photoSeed += 1;
  return sharp({ create: { width, height, channels: 3, background: { r: (photoSeed * 37) % 256, g: (photoSeed * 91) % 256, b: 120 } } })
    .jpeg()
    .toBuffer();
}

export async function uploadPhotos(api: TestApi, who: { auth: { authorization: string } }, count = 1): Promise<string[]> {
  const form = new FormData();
  for (let i = 0; i < count; i += 1) {
    form.append('photos', new Blob([new Uint8Array(await makeJpeg())], { type: 'image/jpeg' }), `p${i}.jpg`);
  }
  const res = await fetch(`${api.url}/media`, { method: 'POST', headers: who.auth, body: form });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { photos: { id: string }[] };
  return body.photos.map((p) => p.id);
}

export async function postJson(api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
}

export async function patchJson(api: TestApi, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

export async function getJson(api: TestApi, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
}
