import { mongo } from 'mongoose';

/**
 * Group commit: writes that arrive while one flush is under way wait for the next one and
 * go with everything else that arrived meanwhile. Twenty concurrent submissions then pay
 * one flush's round trips instead of twenty (each command costs the database far more than
 * one more operation inside a bulk command), while a caller alone is flushed at once.
 * Every caller gets its own outcome: one item's failure fails only that item, unless the
 * flush as a whole fails.
 */
export class GroupCommit<T, R = void> {
  private queue: { item: T; resolve: (value: R) => void; reject: (reason: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    /** Writes a batch; returns one outcome per item, in order (throwing fails them all). */
    private readonly flush: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      // A microtask later, so callers submitting in the same tick share the first flush too.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      let outcomes: PromiseSettledResult<R>[];
      try {
        outcomes = await this.flush(batch.map((b) => b.item));
      } catch (err) {
        outcomes = batch.map(() => ({ status: 'rejected', reason: err }));
      }
      batch.forEach((b, i) => {
        const outcome = outcomes[i] ?? { status: 'rejected', reason: new Error('group commit: no outcome for an item') };
        if (outcome.status === 'fulfilled') b.resolve(outcome.value);
        else b.reject(outcome.reason);
      });
    }
    this.flushing = false;
  }
}

/** One item's error in an unordered bulk write, by its index, or null when it was written. */
export type BulkItemErrors = (Error | null)[];

/**
 * Runs an unordered (`ordered: false`) bulk write of `count` operations and says which of them
 * failed: per-operation write errors by index; any other error fails every one (nothing
 * says which were written).
 */
export async function unorderedBulk(count: number, write: () => Promise<unknown>): Promise<BulkItemErrors> {
  const errors: BulkItemErrors = new Array<Error | null>(count).fill(null);
  try {
    await write();
  } catch (err) {
    if (!(err instanceof mongo.MongoBulkWriteError) || err.writeConcernError) return errors.fill(err as Error);
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    for (const w of writeErrors) {
      errors[w.index] = Object.assign(new Error(w.errmsg ?? 'write error'), { code: w.code });
    }
  }
  return errors;
}
