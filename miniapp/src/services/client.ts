import { createApiClient } from '@ssp/shared';
import { taroTransport } from './taro-transport';

/** On H5 the API serves the app, so relative URLs reach it; weapp needs the configured origin. */
export const baseUrl = process.env.TARO_ENV === 'h5' ? '' : (process.env.TARO_APP_API_BASE_URL ?? '');

/** For calls that carry no session: sign-in, token refresh. */
export const bareApi = createApiClient({ baseUrl, transport: taroTransport });

/** Photo URLs come back relative to the API (/media/…); weapp needs them absolute. */
export function mediaUrl(path: string | null | undefined): string {
  if (!path) return '';
  return /^https?:\/\//.test(path) ? path : `${baseUrl}${path}`;
}
