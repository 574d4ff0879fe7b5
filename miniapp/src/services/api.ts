import Taro from '@tarojs/taro';
import { healthSchema } from '@ssp/shared';
import { createApiClient } from './request';
import { taroTransport } from './taro-transport';

const TOKEN_KEY = 'ssp.accessToken';

/** On H5 the API serves the app, so relative URLs reach it; weapp needs the configured origin. */
const baseUrl = process.env.TARO_ENV === 'h5' ? '' : process.env.TARO_APP_API_BASE_URL ?? '';

export const api = createApiClient({
  baseUrl,
  transport: taroTransport,
  getAccessToken: () => Taro.getStorageSync<string>(TOKEN_KEY) || null,
});

export const fetchHealth = () => api.get('/healthz', { schema: healthSchema });
