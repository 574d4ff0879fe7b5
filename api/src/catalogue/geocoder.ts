import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';

/**
 * Reverse geocoding (a position → a street address) through a provider speaking the
 * Tencent Location Service protocol (GET /ws/geocoder/v1/?location=lat,lng&key=…,
 * GCJ-02, as the product stores). Optional: without GEOCODER_URL the address field
 * stays for the citizen to type.
 */
export class ReverseGeocoder {
  constructor(private readonly ctx: ServiceContext) {}

  get configured(): boolean {
    return !!this.ctx.config.geocoder.url;
  }

  /** The address at a position, or null when no provider is configured. */
  async addressAt(lat: number, lng: number): Promise<string | null> {
    const { url, key, timeoutMs } = this.ctx.config.geocoder;
    if (!url) return null;
    let reply: { status?: number; message?: string; result?: { address?: string; formatted_addresses?: { recommend?: string } } };
    try {
      const res = await fetch(`${url}/ws/geocoder/v1/?location=${lat},${lng}&key=${encodeURIComponent(key)}&get_poi=0`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      reply = (await res.json()) as typeof reply;
    } catch (err) {
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', '地址服务暂时不可用，请手动填写地址', [{ issue: (err as Error).message }]);
    }
    if (reply.status !== 0) {
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', '地址服务暂时不可用，请手动填写地址', [
        { issue: `status ${reply.status} ${reply.message ?? ''}` },
      ]);
    }
    return reply.result?.formatted_addresses?.recommend || reply.result?.address || null;
  }
}
