import type { Clock } from '../context';
import { tooManyRequests } from '../core/errors';

/**
 * A fixed-window request counter per client (IP): at most `limit` requests per
 * minute. It lives in the memory of one API process, so with several processes a
 * client may get up to `limit` per process; that is enough to keep a scraper from
 * hammering the public statistics, which are cached for five minutes anyway.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts one request; throws 429 RATE_LIMITED with Retry-After past the limit. */
  hit(key: string): void {
    const now = this.clock.now().getTime();
    const start = now - (now % this.windowMs);
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (w.start < start) this.windows.delete(k);
    }
    const window = this.windows.get(key);
    if (!window || window.start !== start) {
      this.windows.set(key, { start, count: 1 });
      return;
    }
    window.count += 1;
    if (window.count > this.limit) throw tooManyRequests((start + this.windowMs - now) / 1000, '请求过于频繁，请稍后再试');
  }
}
