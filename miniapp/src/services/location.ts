import Taro from '@tarojs/taro';
import { wgs84ToGcj02, type LatLng } from '@ssp/shared';

/**
 * The device's position in GCJ-02 (the city data's system). WeChat converts itself;
 * browsers only give WGS-84, which we convert.
 */
export async function currentLocation(): Promise<LatLng> {
  if (process.env.TARO_ENV === 'weapp') {
    const r = await Taro.getLocation({ type: 'gcj02', isHighAccuracy: true });
    return { lat: r.latitude, lng: r.longitude };
  }
  const r = await Taro.getLocation({ type: 'wgs84' });
  return wgs84ToGcj02({ lat: r.latitude, lng: r.longitude });
}

/** Human text for a failed getLocation (permission denied, GPS off, timeout). */
export function locationErrorText(err: unknown): string {
  const msg = ((err as { errMsg?: string; message?: string }) ?? {}).errMsg ?? (err as Error)?.message ?? '';
  if (/auth|deny|denied|permission/i.test(msg)) return '未获得定位权限，可以在地图上选点或手动调整位置';
  return '暂时无法获取定位，可以在地图上选点或手动调整位置';
}
