import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { Connection, mongo } from 'mongoose';
import { GroupCommit, outcomesOf, unorderedBulk } from '../core/group-commit';
import { toCaseView, type CaseEventHandler } from './events';
import { getCaseModel, parseEffect, type CaseDoc, type CaseEffect } from './models';

/** Cases whose effects may run after their request has been answered, per process. */
export const MAX_IN_BACKGROUND = 200;
/** How long a new report's effects wait for those of the reports that follow it. */
export const GATHER_MS = 25;

/**
 * Runs the effects a case transition queued inside the case document. Each
 * transition queues one effect per registered subscriber; an effect leaves the
 * case only after its handler succeeded, so a crash means a retry, never a loss.
 * Subscribers get a typed event and a read-only view (events.ts, which also states the
 * ordering guarantee). Two requests on one case in one process drain one after the
 * other; across processes, the sweep (`drainPending`) only picks up effects left over
 * after a failure, and handlers' idempotency covers a sweep racing a request. A staff
 * action answers after its effects (`drainCase`); a new report before them (`drainLater`).
 */
export class EffectRelay {
  private readonly handlers = new Map<string, CaseEventHandler>();
  /** Cases being drained in this process, with a flag for effects queued meanwhile. */
  private readonly draining = new Map<string, { again: boolean; done: Promise<void> }>();
  /** The case whose effects the current async context is handling (to spot nested transitions). */
  private readonly handling = new AsyncLocalStorage<string>();

  /** Handled effects leave their cases together: concurrent drains share one bulk update. */
  private readonly clearing = new GroupCommit<{ caseId: CaseDoc['_id']; handled: string[] }>(async (batch) => {
    const errors = await unorderedBulk(batch.length, () =>
      getCaseModel(this.db).collection.bulkWrite(
        batch.map(({ caseId, handled }) => ({
          updateOne: { filter: { _id: caseId }, update: { $pull: { effects: { $in: handled } } as mongo.UpdateFilter<CaseDoc> } },
        })),
        { ordered: false },
      ),
    );
    return outcomesOf(errors);
  });

  constructor(
    private readonly db: Connection,
    private readonly logger: Logger,
  ) {}

  on(type: string, handler: CaseEventHandler): void {
    if (this.handlers.has(type)) throw new Error(`case effect handler "${type}" is already registered`);
    this.handlers.set(type, handler);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Handles a case's effects soon, without waiting for them (a new report: what its
   * reporter gets back does not depend on them). They start `GATHER_MS` after the first
   * case of a gathering, together with every case that came meanwhile, so concurrent
   * submissions share their effects' writes (each handler groups what arrives together)
   * and the answers go out first; a transition of the case meanwhile waits for them.
   * `settled()` waits for these. Beyond `MAX_IN_BACKGROUND` cases at once the caller waits
   * for its own, so a burst cannot pile up work (and case copies) in memory faster than the
   * database takes it.
   */
  async drainLater(caseDoc: CaseDoc): Promise<void> {
    const drained: Promise<void> = this.drainCase(caseDoc, this.gathering()).finally(() => this.inBackground.delete(drained));
    this.inBackground.add(drained);
    if (this.inBackground.size > MAX_IN_BACKGROUND) await drained;
  }

  private readonly inBackground = new Set<Promise<void>>();
  private gatheringEnds: Promise<void> | null = null;

  /** The end of the current gathering window (a new one opens with the first case after it). */
  private gathering(): Promise<void> {
    this.gatheringEnds ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        this.gatheringEnds = null;
        resolve();
      }, GATHER_MS),
    );
    return this.gatheringEnds;
  }

  /** Resolves when every drain started by `drainLater` has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inBackground.size) await Promise.all([...this.inBackground]);
  }

  /**
   * Handles the effects of one case (called right after a transition). Never throws.
   * Called from inside a handler of the same case (a nested transition), it leaves the
   * new effects to the running drain, which takes them after the current round.
   */
  async drainCase(caseDoc: CaseDoc, startAfter?: Promise<void>): Promise<void> {
    const id = String(caseDoc._id);
    let waited = false;
    for (;;) {
      const running = this.draining.get(id);
      if (!running) break;
      if (this.handling.getStore() === id) {
        running.again = true;
        return;
      }
      await running.done;
      waited = true;
    }
    const state = { again: false, done: Promise.resolve() };
    let finish!: () => void;
    state.done = new Promise<void>((resolve) => (finish = resolve));
    this.draining.set(id, state);
    try {
      // Registered before it waits: a request on the case meanwhile waits for this drain.
      if (startAfter) await startAfter;
      // After waiting, the copy in hand is stale: the other drain may have run its effects.
      let doc: CaseDoc | null = waited ? await getCaseModel(this.db).findById(caseDoc._id).lean<CaseDoc>() : caseDoc;
      while (doc) {
        await this.handling.run(id, () => this.drainRound(doc!));
        if (!state.again) break;
        state.again = false;
        doc = await getCaseModel(this.db).findById(caseDoc._id).lean<CaseDoc>();
      }
    } catch (err) {
      this.logger.warn({ caseId: id, err }, 'case effects not drained; the sweep will retry');
    } finally {
      this.draining.delete(id);
      finish();
    }
  }

  /**
   * One round over the effects the case holds. The handled ones leave the case in one
   * update at the end: a crash before it runs them again, which their handlers allow
   * (idempotent), and a submission pays one round trip, not six.
   */
  private async drainRound(caseDoc: CaseDoc): Promise<void> {
    // Subscribers are independent of each other: each runs its own effects in event order,
    // alongside the others.
    const byType = new Map<string, { id: string; effect: CaseEffect }[]>();
    for (const id of caseDoc.effects) {
      const effect = parseEffect(id);
      byType.set(effect.type, [...(byType.get(effect.type) ?? []), { id, effect }]);
    }
    for (const effects of byType.values()) effects.sort((a, b) => a.effect.data.seq - b.effect.data.seq);
    const handled: string[] = [];
    const view = toCaseView(caseDoc);
    await Promise.all(
      [...byType].map(async ([type, effects]) => {
        const handler = this.handlers.get(type);
        for (const { id, effect } of effects) {
          const event = view.history.find((e) => e.seq === effect.data.seq);
          try {
            if (handler && event) await handler(event, view, effect);
            handled.push(id);
          } catch (err) {
            this.logger.warn({ caseId: String(caseDoc._id), effect: id, err }, 'case effect failed; will retry');
            return; // its later effects wait for the retry, in order
          }
        }
      }),
    );
    if (!handled.length) return;
    try {
      await this.clearing.submit({ caseId: caseDoc._id, handled });
    } catch (err) {
      this.logger.warn({ caseId: String(caseDoc._id), err }, 'handled case effects not cleared; they will run again');
    }
  }

  /** Sweeps cases that still owe effects (after a crash or a failed handler). */
  async drainPending(limit = 100): Promise<number> {
    const Case = getCaseModel(this.db);
    const cases = await Case.find({ 'effects.0': { $exists: true } })
      .limit(limit)
      .lean<CaseDoc[]>();
    for (const c of cases) await this.drainCase(c);
    return cases.length;
  }
}
