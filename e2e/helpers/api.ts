import type { Page } from 'playwright-core';
import { storageValue } from './browser';

/** Calls the API as the citizen signed in on `page` (its stored access token), for assertions. */
export async function asCitizen<T = any>(page: Page, apiUrl: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const session = await storageValue<{ accessToken: string }>(page, 'ssp.session.citizen');
  if (!session) throw new Error('no citizen session on this page');
  return call<T>(apiUrl, path, session.accessToken, init);
}

export async function asStaff<T = any>(token: string, apiUrl: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return call<T>(apiUrl, path, token, init);
}

async function call<T>(apiUrl: string, path: string, token: string, init: { method?: string; body?: unknown }) {
  const res = await fetch(`${apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function staffToken(apiUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${apiUrl}/auth/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`staff login failed: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}
