import { ApiRequestError, createApiClient, fetchTransport, type StaffProfile, type TokenPair } from '@ssp/shared';

/**
 * The signed-in staff member and the one typed API client (shared/src/client.ts over
 * fetch). The API serves the console, so it answers on the page's own origin. Tokens are
 * kept in localStorage: the access token is short-lived and refreshed (rotating refresh
 * token) when the API says it expired.
 */
export interface Session {
  staff: StaffProfile;
  accessToken: string;
  refreshToken: string;
}

const STORAGE_KEY = 'ssp.console.session';
const listeners = new Set<(s: Session | null) => void>();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

let current: Session | null = load();

export function getSession(): Session | null {
  return current;
}

function setSession(next: Session | null): void {
  current = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  listeners.forEach((l) => l(next));
}

export function onSessionChange(listener: (s: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const baseUrl = import.meta.env.VITE_API_BASE_URL ?? window.location.origin;

/** A client for the refresh and sign-in calls themselves (no token, no refresh loop). */
const bare = createApiClient({ baseUrl, transport: fetchTransport() });

async function refresh(): Promise<boolean> {
  const s = current;
  if (!s) return false;
  try {
    const pair: TokenPair = await bare.call('refreshTokens', { body: { refreshToken: s.refreshToken } });
    setSession({ ...s, accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    return true;
  } catch (e) {
    // The refresh token is gone (signed out elsewhere, expired): sign in again.
    if (e instanceof ApiRequestError && e.status >= 400 && e.status < 500) setSession(null);
    return false;
  }
}

export const api = createApiClient({
  baseUrl,
  transport: fetchTransport((input, init) => fetch(input, init)),
  getAccessToken: () => current?.accessToken,
  refreshAccessToken: refresh,
});

export async function signIn(username: string, password: string): Promise<Session> {
  const result = await bare.call('staffLogin', { body: { username, password } });
  const session = { staff: result.staff, accessToken: result.accessToken, refreshToken: result.refreshToken };
  setSession(session);
  return session;
}

/** Keeps the stored profile in step with the account (an administrator may have changed the role or department). */
export function updateProfile(staff: StaffProfile): void {
  const s = current;
  if (s && JSON.stringify(s.staff) !== JSON.stringify(staff)) setSession({ ...s, staff });
}

export async function signOut(): Promise<void> {
  const s = current;
  setSession(null);
  if (s) await bare.call('logout', { body: { refreshToken: s.refreshToken } }).catch(() => undefined);
}

/** A media path the API answered (`/media/…`) as a URL the browser can load. */
export function mediaUrl(path: string): string {
  return /^https?:/.test(path) ? path : `${baseUrl}${path}`;
}

/** What to tell the user about a failed call. */
export function errorText(e: unknown): string {
  if (e instanceof ApiRequestError) {
    if (e.status === 409) return `${e.message}。已为您显示案件的最新状态。`;
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
