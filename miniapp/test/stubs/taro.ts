/** A stand-in for @tarojs/taro in component tests: APIs record their calls, hooks do nothing. */
const store = new Map<string, unknown>();

const Taro = {
  showToast: jest.fn(async () => ({})),
  showModal: jest.fn(async () => ({ confirm: true, cancel: false })),
  navigateTo: jest.fn(async () => ({})),
  switchTab: jest.fn(async () => ({})),
  previewImage: jest.fn(async () => ({})),
  request: jest.fn(async () => ({ statusCode: 200, data: {}, header: {} })),
  login: jest.fn(async (): Promise<{ code?: string; errMsg: string }> => ({ code: 'wx-code-1', errMsg: 'login:ok' })),
  requestSubscribeMessage: jest.fn(async (): Promise<Record<string, string>> => ({ errMsg: 'requestSubscribeMessage:ok' })),
  setTabBarBadge: jest.fn(async () => ({})),
  removeTabBarBadge: jest.fn(async () => ({})),
  getStorageSync: (key: string) => (store.has(key) ? store.get(key) : ''),
  setStorageSync: (key: string, value: unknown) => void store.set(key, value),
  removeStorageSync: (key: string) => void store.delete(key),
};

export default Taro;
export const useDidShow = () => undefined;
export const usePullDownRefresh = () => undefined;
export const useReachBottom = () => undefined;
export const useRouter = () => ({ params: {} });
