import type { LoginResult } from '@ssp/shared';
import { bareApi } from './client';
import { storage } from './storage';

/**
 * Browser: Taro.login yields no code, so H5 signs in through the API's development login
 * (enabled by DEV_LOGIN_ENABLED). The demo user key is remembered, so the browser
 * signs back in to the same account when its session lapses.
 */
export const DEV_USER_KEY = 'ssp.devUser';

export function rememberedDevUser(): string | null {
  return storage.get<string>(DEV_USER_KEY) ?? null;
}

export function canLoginSilently(): boolean {
  return !!rememberedDevUser();
}

export async function devLogin(devUser: string, nickname?: string): Promise<LoginResult> {
  const result = await bareApi.call('devLogin', { body: { devUser, nickname: nickname || undefined } });
  storage.set(DEV_USER_KEY, devUser);
  return result;
}

/** No WeChat identity in the browser. */
export async function wechatCode(): Promise<string | null> {
  return null;
}

export async function silentLogin(): Promise<LoginResult | null> {
  const devUser = rememberedDevUser();
  return devUser ? devLogin(devUser) : null;
}
