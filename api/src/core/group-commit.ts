import { mongo } from 'mongoose';

/**
 * Group commit: writes that arrive while one flush is under way wait for it and then go
 * together with everything else that arrived meanwhile. Twenty concurrent submissions then
 * pay one flush's round trips instead of twenty (each command costs the database far more
 * than one more operation inside a bulk command), while a caller alone is flushed at once.
 * A caller never waits more than `maxWaitMs` for a slow flush (a database that is down must
 * still fail requests fast): then its batch starts beside it. Every caller gets its own
 * outcome: one item's failure fails only that item, unless the flush as a whole fails.
 */
export class GroupCommit<T, R = void> {
  private queue: { item: T; resolve: (value: R) => void; reject: (reason: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;

  constructor(
    /** Writes a batch; returns one outcome per item, in order (throwing fails them all). */
    private readonly flush: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    options: { maxBatch?: number; maxWaitMs?: number } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxWaitMs = options.maxWaitMs ?? 50;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight === 0) this.schedule();
      else
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.schedule();
        }, this.maxWaitMs);
    });
  }

  /** A microtask later, so callers submitting in the same tick share the flush. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flushQueued();
    });
  }

  private async flushQueued(): Promise<void> {
    if (!this.queue.length) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight += 1;
    let outcomes: PromiseSettledResult<R>[];
    try {
      outcomes = await this.flush(batch.map((b) => b.item));
    } catch (err) {
      outcomes = batch.map(() => ({ status: 'rejected', reason: err }));
    } finally {
      this.inFlight -= 1;
    }
    batch.forEach((b, i) => {
      const outcome = outcomes[i] ?? { status: 'rejected', reason: new Error('group commit: no outcome for an item') };
      if (outcome.status === 'fulfilled') b.resolve(outcome.value);
      else b.reject(outcome.reason);
    });
    if (this.queue.length) this.schedule();
  }
}

/** One item's error in an unordered bulk write, by its index, or null when it was written. */
export type BulkItemErrors = (Error | null)[];

/**
 * Runs an unordered (`ordered: false`) bulk write of `count` operations and says which of them
 * failed: the operations the server refused, by index; any other error fails every one
 * (nothing says which were written). Meant for one batch (GroupCommit's at most 500
 * operations, far below the server's 100,000), so write errors cannot come with a driver
 * error of a later batch.
 */
export async function unorderedBulk(count: number, write: () => Promise<unknown>): Promise<BulkItemErrors> {
  const errors: BulkItemErrors = new Array<Error | null>(count).fill(null);
  try {
    await write();
  } catch (err) {
    if (!(err instanceof mongo.MongoBulkWriteError)) return errors.fill(err as Error);
    // The driver wraps a lost connection in the same class, without write errors: that is not
    // "all written". Each operation fails with the driver's own error (a network error: 503).
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (!writeErrors.length) return errors.fill(err.errorResponse instanceof Error ? err.errorResponse : err);
    for (const w of writeErrors) {
      errors[w.index] = Object.assign(new Error(w.errmsg ?? 'write error'), { code: w.code });
    }
  }
  return errors;
}

/** A bulk write's per-operation errors as the outcomes a GroupCommit flush returns. */
export function outcomesOf(errors: BulkItemErrors): PromiseSettledResult<void>[] {
  return errors.map((reason) => (reason ? { status: 'rejected', reason } : { status: 'fulfilled', value: undefined }));
}

/**
 * Look-ups by key made together become one `$in` query (see GroupCommit). Each look-up's
 * query starts after it was asked, so it sees every write finished before it.
 */
export function groupedLookup<D>(find: (keys: string[]) => Promise<D[]>, keyOf: (doc: D) => string): (keys: string[]) => Promise<D[]> {
  const commit = new GroupCommit<string[], D[]>(async (asked) => {
    const found = await find([...new Set(asked.flat())]);
    const byKey = new Map(found.map((doc) => [keyOf(doc), doc]));
    return asked.map((keys) => ({ status: 'fulfilled', value: keys.flatMap((k) => byKey.get(k) ?? []) }));
  });
  return (keys) => (keys.length ? commit.submit(keys) : Promise.resolve([]));
}
