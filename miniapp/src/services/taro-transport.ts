import Taro from '@tarojs/taro';
import type { Transport } from '@ssp/shared';

export const taroTransport: Transport = async (req) => {
  const res = await Taro.request({
    url: req.url,
    method: req.method,
    header: req.header,
    data: req.data as Record<string, unknown> | undefined,
    timeout: req.timeout,
    dataType: 'json',
  });
  return { statusCode: res.statusCode, data: res.data, header: (res.header ?? {}) as Record<string, string> };
};
