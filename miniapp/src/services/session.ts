import Taro from '@tarojs/taro';
import { createApiClient, pageUrl, type ApiClient, type LoginResult, type Me, type StaffProfile } from '@ssp/shared';
import { makeRefresher, TokenStore } from '../logic/session';
import { baseUrl, bareApi } from './client';
import { canLoginSilently, silentLogin, wechatCode } from './login';
import { storage } from './storage';
import { taroTransport } from './taro-transport';

/*
 * Sessions and the two signed-in API clients. `api` acts as the citizen, `staffApi`
 * as the staff member; each refreshes its own expired token once, shared by all
 * concurrent requests (see request.ts).
 */
export const citizenTokens = new TokenStore(storage, 'citizen');
export const staffTokens = new TokenStore(storage, 'staff');

const ME_KEY = 'ssp.me';
const STAFF_KEY = 'ssp.staffProfile';

const refreshWith = (refreshToken: string) => bareApi.call('refreshTokens', { body: { refreshToken } });

// ---- a tiny observable for "who am I", so every page shows the same nickname and points

type Listener = () => void;
const listeners = new Set<Listener>();
export function subscribeSession(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function notify(): void {
  listeners.forEach((fn) => fn());
}

export function cachedMe(): Me | null {
  return citizenTokens.get() ? (storage.get<Me>(ME_KEY) ?? null) : null;
}

export function cachedStaff(): StaffProfile | null {
  return staffTokens.get() ? (storage.get<StaffProfile>(STAFF_KEY) ?? null) : null;
}

function adoptCitizen(result: LoginResult): Me {
  citizenTokens.set(result);
  storage.set(ME_KEY, result.user);
  notify();
  return result.user;
}

async function relogin(): Promise<boolean> {
  if (!canLoginSilently()) return false;
  const result = await silentLogin();
  if (!result) return false;
  adoptCitizen(result);
  return true;
}

export const api: ApiClient = createApiClient({
  baseUrl,
  transport: taroTransport,
  getAccessToken: () => citizenTokens.accessToken(),
  refreshAccessToken: makeRefresher({ tokens: citizenTokens, refresh: refreshWith, relogin, onSignedOut: notify }),
});

export const staffApi: ApiClient = createApiClient({
  baseUrl,
  transport: taroTransport,
  getAccessToken: () => staffTokens.accessToken(),
  refreshAccessToken: makeRefresher({
    tokens: staffTokens,
    refresh: refreshWith,
    onSignedOut: () => {
      storage.remove(STAFF_KEY);
      notify();
    },
  }),
});

// ---- citizens

export function isCitizenSignedIn(): boolean {
  return !!citizenTokens.get();
}

/** Call with the result of a login the page did itself (the H5 体验登录 form). */
export function signedIn(result: LoginResult): Me {
  return adoptCitizen(result);
}

/**
 * Makes sure a citizen session exists: signs in silently where the platform can
 * (WeChat; a remembered demo user on H5). False means the login page is needed.
 */
export async function ensureCitizen(): Promise<boolean> {
  if (citizenTokens.get()) return true;
  return relogin().catch(() => false);
}

/** ensureCitizen, else opens the login page; resolves whether a session exists now. */
export async function requireCitizen(): Promise<boolean> {
  if (await ensureCitizen()) return true;
  void Taro.navigateTo({ url: pageUrl('login') });
  return false;
}

export async function refreshMe(): Promise<Me | null> {
  if (!citizenTokens.get()) return null;
  const me = await api.call('getMe');
  storage.set(ME_KEY, me);
  notify();
  return me;
}

export async function updateMe(patch: { nickname?: string; phone?: string | null }): Promise<Me> {
  const me = await api.call('updateMe', { body: patch });
  storage.set(ME_KEY, me);
  notify();
  return me;
}

export async function signOutCitizen(): Promise<void> {
  const tokens = citizenTokens.get();
  citizenTokens.clear();
  storage.remove(ME_KEY);
  notify();
  if (tokens) await bareApi.call('logout', { body: { refreshToken: tokens.refreshToken } }).catch(() => undefined);
}

// ---- staff

export async function staffLogin(username: string, password: string): Promise<StaffProfile> {
  const result = await bareApi.call('staffLogin', { body: { username, password } });
  staffTokens.set(result);
  storage.set(STAFF_KEY, result.staff);
  notify();
  void linkStaffWeChat();
  return result.staff;
}

/**
 * Links the signed-in staff account to this WeChat user (in the mini-program only): WeChat's
 * content checks of what staff publish need an openid that opened the mini-program lately.
 * Best effort; publishing says so itself when the link is missing.
 */
export async function linkStaffWeChat(): Promise<boolean> {
  try {
    const code = await wechatCode();
    if (!code) return false;
    await staffApi.call('linkStaffWeChat', { body: { code } });
    return true;
  } catch {
    return false;
  }
}

export async function refreshStaff(): Promise<StaffProfile | null> {
  if (!staffTokens.get()) return null;
  const profile = await staffApi.call('getStaffMe');
  storage.set(STAFF_KEY, profile);
  notify();
  return profile;
}

export async function signOutStaff(): Promise<void> {
  const tokens = staffTokens.get();
  staffTokens.clear();
  storage.remove(STAFF_KEY);
  notify();
  if (tokens) await bareApi.call('logout', { body: { refreshToken: tokens.refreshToken } }).catch(() => undefined);
}
