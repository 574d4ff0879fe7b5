import type { Logger } from 'pino';
import type { Connection } from 'mongoose';
import { getCaseModel, parseEffect, type CaseDoc, type CaseEffect, type CaseEvent } from './models';

/** A subscriber reacts to case events (notify, award points, count statistics…). It must be idempotent. */
export type EffectHandler = (caseDoc: CaseDoc, event: CaseEvent, effect: CaseEffect) => Promise<void>;

/**
 * Runs the effects a case transition queued inside the case document. Each
 * transition queues one effect per registered subscriber; an effect leaves the
 * case only after its handler succeeded, so a crash means a retry, never a loss.
 */
export class EffectRelay {
  private readonly handlers = new Map<string, EffectHandler>();

  constructor(
    private readonly db: Connection,
    private readonly logger: Logger,
  ) {}

  on(type: string, handler: EffectHandler): void {
    this.handlers.set(type, handler);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }

  /**
   * Handles the effects of one case (called right after a transition). Never throws. The
   * handled ones leave the case in one update at the end: a crash before it runs them again,
   * which their handlers allow (idempotent), and a submission pays one round trip, not six.
   */
  async drainCase(caseDoc: CaseDoc): Promise<void> {
    // Subscribers are independent of each other: each runs its own effects in event order,
    // alongside the others.
    const byType = new Map<string, { id: string; effect: CaseEffect }[]>();
    for (const id of caseDoc.effects) {
      const effect = parseEffect(id);
      byType.set(effect.type, [...(byType.get(effect.type) ?? []), { id, effect }]);
    }
    const handled: string[] = [];
    await Promise.all(
      [...byType].map(async ([type, effects]) => {
        const handler = this.handlers.get(type);
        for (const { id, effect } of effects) {
          const event = caseDoc.events.find((e) => e.seq === effect.data.seq);
          try {
            if (handler && event) await handler(caseDoc, event, effect);
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
      await getCaseModel(this.db).updateOne({ _id: caseDoc._id }, { $pull: { effects: { $in: handled } } });
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
