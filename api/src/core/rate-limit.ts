import type { Context, Middleware } from 'koa';
import { Schema, type Connection, type mongo } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../context';
import { isDuplicateKeyError } from '../db';
import { tooManyRequests } from './errors';

/**
 * Fixed-window request counters shared by every API process through the database, so
 * N processes allow the limit, not N times it. One document per key and window, counted
 * with one atomic `$inc` upsert per hit: single-document updates are all this needs, so
 * it runs alike on MongoDB and the local stand-in (which has no pipeline updates and
 * ignores TTL indexes; rate-limiter-flexible's Mongo store also reads the wall clock,
 * where ours follows the services' clock, which tests move).
 */
interface WindowDoc {
  /** `<key>@<window start in ms>`: the key and window in one unique field. */
  _id: string;
  key: string;
  windowStart: Date;
  count: number;
  /** When the window is over: MongoDB's TTL monitor deletes it; `removeExpired` does elsewhere. */
  expiresAt: Date;
}

const windowSchema = new Schema<WindowDoc>(
  { _id: String, key: String, windowStart: Date, count: Number, expiresAt: Date },
  { collection: 'rate_limit_windows', versionKey: false },
);
windowSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

const getWindowModel = (db: Connection) => db.models.RateLimitWindow ?? db.model<WindowDoc>('RateLimitWindow', windowSchema);

export class RateLimitStore {
  constructor(
    private readonly db: Connection,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private get Window() {
    return getWindowModel(this.db);
  }

  /** Counts one hit of `key` in the window holding now: the count so far and the milliseconds left in the window. */
  async hit(key: string, windowMs: number): Promise<{ count: number; msLeft: number }> {
    const now = this.clock.now().getTime();
    const start = now - (now % windowMs);
    const count = async () => {
      // Through the model's collection, not a mongoose query: the values are already of
      // their schema types, and casting them cost ~50 µs on every limited request.
      const doc = await (this.Window.collection as unknown as mongo.Collection<WindowDoc>).findOneAndUpdate(
        { _id: `${key}@${start}` },
        { $inc: { count: 1 }, $setOnInsert: { key, windowStart: new Date(start), expiresAt: new Date(start + windowMs) } },
        { upsert: true, returnDocument: 'after', projection: { count: 1 } },
      );
      return doc!.count;
    };
    // Two first hits of a window may race to insert it; the loser's retry finds it and counts.
    const n = await count().catch((err: unknown) => (isDuplicateKeyError(err) ? count() : Promise.reject(err)));
    return { count: n, msLeft: start + windowMs - now };
  }

  /** Deletes the windows that are over (a background loop; on MongoDB the TTL index does it too). */
  async removeExpired(): Promise<number> {
    const { deletedCount } = await this.Window.deleteMany({ expiresAt: { $lte: this.clock.now() } });
    return deletedCount;
  }

  /** A limiter that cannot reach the database lets the request through: its own work then fails or succeeds as without one. */
  failOpen(err: unknown, name: string): void {
    this.logger.warn({ err, limiter: name }, 'rate limit not counted: database unavailable');
  }
}

export interface RateLimitOptions {
  /** Names the counter: limiters with one name share their counts (e.g. logins per IP over two routes). */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowMs?: number;
  /** Who is counted (client IP, citizen id, username…); null lets the request through uncounted (the route refuses it). */
  key: (ctx: Context) => string | null | undefined;
}

/**
 * Koa middleware allowing `limit` requests per key and window across all processes;
 * past it, 429 RATE_LIMITED with Retry-After (whole seconds to the end of the window).
 */
export function rateLimit(store: RateLimitStore, { name, limit, windowMs = 60_000, key }: RateLimitOptions): Middleware {
  return async (ctx, next) => {
    const who = key(ctx);
    if (who !== null && who !== undefined) {
      let counted: { count: number; msLeft: number } | null = null;
      try {
        counted = await store.hit(`${name}:${who}`, windowMs);
      } catch (err) {
        store.failOpen(err, name);
      }
      if (counted && counted.count > limit) throw tooManyRequests(counted.msLeft / 1000, '请求过于频繁，请稍后再试');
    }
    await next();
  };
}
