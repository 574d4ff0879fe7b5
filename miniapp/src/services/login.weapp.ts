import Taro from '@tarojs/taro';
import type { LoginResult } from '@ssp/shared';
import { bareApi } from './client';

/** WeChat: Taro.login yields a one-time code the API trades for a session (code2Session). */
export async function silentLogin(): Promise<LoginResult | null> {
  const { code } = await Taro.login();
  if (!code) return null;
  return bareApi.call('wechatLogin', { body: { code } });
}

/** A fresh wx.login code, for linking a staff account to this WeChat user. */
export async function wechatCode(): Promise<string | null> {
  const { code } = await Taro.login();
  return code || null;
}

export function canLoginSilently(): boolean {
  return true;
}

export async function devLogin(_devUser: string, _nickname?: string): Promise<LoginResult> {
  throw new Error('体验登录仅在浏览器版本中提供');
}
