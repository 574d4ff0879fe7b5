import { Schema, type Connection, type Model } from 'mongoose';
import type { Logger } from 'pino';
import type { Clock } from '../context';

/**
 * A durable outbox in the database: messages are stored first (unique business key,
 * so enqueueing twice stores once), then delivered by whoever calls processDue —
 * a background timer in production, the test itself in tests. Failed deliveries are
 * retried with exponential backoff; a lease keeps two workers off the same message.
 */
export type DeliveryOutcome = { outcome: 'sent'; detail?: string } | { outcome: 'drop'; reason: string } | { outcome: 'retry'; error: string };

interface OutboxRecord {
  _id: string;
  topic: string;
  payload: unknown;
  status: 'pending' | 'sent' | 'dropped' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export type OutboxMessage<P> = Omit<OutboxRecord, 'payload'> & { payload: P };

export interface OutboxOptions<P> {
  collection: string;
  deliver: (message: OutboxMessage<P>) => Promise<DeliveryOutcome>;
  clock: Clock;
  logger: Logger;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  leaseMs?: number;
}

function outboxSchema(collection: string) {
  const schema = new Schema(
    {
      _id: { type: String, required: true },
      topic: { type: String, required: true },
      payload: { type: Schema.Types.Mixed, required: true },
      status: { type: String, required: true, default: 'pending' },
      attempts: { type: Number, default: 0 },
      nextAttemptAt: { type: Date, required: true },
      lockedUntil: { type: Date, required: true },
      lastError: { type: String, default: null },
      createdAt: { type: Date, required: true },
      finishedAt: { type: Date, default: null },
    },
    { collection, versionKey: false },
  );
  schema.index({ status: 1, nextAttemptAt: 1 });
  return schema;
}

export class Outbox<P> {
  readonly model: Model<OutboxRecord>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly leaseMs: number;

  constructor(
    db: Connection,
    private readonly options: OutboxOptions<P>,
  ) {
    const name = `Outbox_${options.collection}`;
    this.model = (db.models[name] as Model<OutboxRecord>) ?? db.model<OutboxRecord>(name, outboxSchema(options.collection));
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 30 * 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /** Stores a message once per key, due now or at `notBefore`; returns false when the key was already there. */
  async enqueue(key: string, topic: string, payload: P, notBefore?: Date): Promise<boolean> {
    const now = this.options.clock.now();
    const result = await this.model.updateOne(
      { _id: key },
      {
        $setOnInsert: {
          topic,
          payload,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: notBefore ?? now,
          lockedUntil: new Date(0),
          lastError: null,
          createdAt: now,
          finishedAt: null,
        },
      },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  backoffMs(attempts: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Delivers due messages, one claimed at a time; returns how many were attempted. */
  async processDue(limit = 50): Promise<number> {
    let attempted = 0;
    while (attempted < limit) {
      const now = this.options.clock.now();
      const message = await this.model
        .findOneAndUpdate(
          { status: 'pending', nextAttemptAt: { $lte: now }, lockedUntil: { $lte: now } },
          { $set: { lockedUntil: new Date(now.getTime() + this.leaseMs) }, $inc: { attempts: 1 } },
          { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
        )
        .lean<OutboxMessage<P>>();
      if (!message) break;
      attempted += 1;
      await this.deliverClaimed(message);
    }
    return attempted;
  }

  private async deliverClaimed(message: OutboxMessage<P>): Promise<void> {
    let result: DeliveryOutcome;
    try {
      result = await this.options.deliver(message);
    } catch (err) {
      result = { outcome: 'retry', error: (err as Error).message };
    }
    const now = this.options.clock.now();
    const log = this.options.logger;
    if (result.outcome === 'sent') {
      await this.model.updateOne({ _id: message._id }, { $set: { status: 'sent', finishedAt: now, lastError: null } });
    } else if (result.outcome === 'drop') {
      log.info({ outbox: this.options.collection, key: message._id, reason: result.reason }, 'outbox message dropped');
      await this.model.updateOne({ _id: message._id }, { $set: { status: 'dropped', finishedAt: now, lastError: result.reason } });
    } else if (message.attempts >= this.maxAttempts) {
      log.error({ outbox: this.options.collection, key: message._id, error: result.error }, 'outbox message failed for good');
      await this.model.updateOne({ _id: message._id }, { $set: { status: 'failed', finishedAt: now, lastError: result.error } });
    } else {
      const delay = this.backoffMs(message.attempts);
      log.warn(
        { outbox: this.options.collection, key: message._id, attempts: message.attempts, retryInMs: delay, error: result.error },
        'outbox delivery failed; will retry',
      );
      await this.model.updateOne(
        { _id: message._id },
        { $set: { nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: new Date(0), lastError: result.error } },
      );
    }
  }

  /** Counts by status, for admins and health pages. */
  async counts(): Promise<Record<OutboxRecord['status'], number>> {
    const out = { pending: 0, sent: 0, dropped: 0, failed: 0 };
    for (const status of Object.keys(out) as (keyof typeof out)[]) {
      out[status] = await this.model.countDocuments({ status });
    }
    return out;
  }

  /** Puts failed messages back in the queue (admin action after fixing the cause). */
  async retryFailed(): Promise<number> {
    const now = this.options.clock.now();
    const result = await this.model.updateMany(
      { status: 'failed' },
      { $set: { status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: new Date(0), finishedAt: null } },
    );
    return result.modifiedCount;
  }
}
