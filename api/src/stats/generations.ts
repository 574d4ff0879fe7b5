import type { ServiceContext } from '../context';
import { conflict } from '../core/errors';
import type { CaseDoc, CaseEffect } from '../cases/models';
import type { CaseQueries } from '../cases/queries';
import type { CaseEventMessage, CaseView } from '../cases/events';
import { incrementsOf, replay } from './increments';
import { TIERS, getProcessedEffectModel, getRollupModel, getStatsMetaModel, type StatsMetaDoc } from './models';
import { RollupBatch } from './rollups';
import { isDuplicateKeyError } from '../db';
import { GroupCommit, unorderedBulk } from '../core/group-commit';
import type { Increment } from './increments';

/** A case event's contribution to the rollups, waiting to be counted with the others of its batch. */
interface EventToCount {
  effectId: string;
  at: Date;
  increments: Increment[];
}

const META_ID = 'rollups';
const INITIAL_META: StatsMetaDoc = { _id: META_ID, active: { gen: 1, cutoff: new Date(0) }, building: null };
const REBUILD_FLUSH_ROWS = 5000;

/**
 * Writing the rollups: the case-event subscriber that keeps them up to date, and the
 * rebuild that recomputes a new generation from the case event logs and swaps it in.
 * Queries read the active generation (`meta()`).
 */
export class RollupGenerations {
  private indexes?: Promise<void>;

  constructor(
    private readonly ctx: ServiceContext,
    /** Called when a rebuilt generation became the active one (readers drop what they cached). */
    private readonly onSwapped: () => void,
    private readonly cases: Pick<CaseQueries, 'eventLogs' | 'ensureIndexes'>,
  ) {}

  private get db() {
    return this.ctx.db;
  }

  /** Indexes that must exist before the first write (the rest come with autoIndex). */
  ensureIndexes(): Promise<void> {
    this.indexes ??= (async () => {
      await Promise.all([
        ...TIERS.map((t) => getRollupModel(this.db, t).createIndexes()),
        getProcessedEffectModel(this.db).createIndexes(),
        // The drill-down's range and order (GET /stats/staff/cases) is served by a case index.
        this.cases.ensureIndexes(),
      ]);
    })().catch((err) => {
      this.indexes = undefined;
      throw err;
    });
    return this.indexes;
  }

  async meta(): Promise<StatsMetaDoc> {
    return (await getStatsMetaModel(this.db).findById(META_ID).lean<StatsMetaDoc>()) ?? INITIAL_META;
  }

  /**
   * Case-event subscriber. Idempotency: the effect id is recorded first (unique `_id`),
   * then the counters are incremented, so a retried or concurrently drained effect is
   * counted at most once. Trade-off: a crash between the two loses this event's
   * increments (the figures under-count, never over-count); when the increments fail
   * with an error, the marker is taken back so the relay's retry applies them, and a
   * failure after some tiers were written may then count those tiers twice. Without
   * multi-document transactions one of the two must give; `rebuild-stats` restores
   * exact figures from the event logs either way.
   * Events arriving together are counted together (group commit): one marker insert, one
   * generation read and one write per tier for the whole batch, with the rows they share
   * (the city's month and day above all) incremented once by the batch's sum.
   */
  onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    const prefix = view.history.filter((e) => e.seq <= event.seq);
    // An event belongs to the incremental side of a generation when it, or an earlier
    // event of its case, is at or after the generation's cutoff (a rebuild counts the
    // log prefix before it), so each event is counted once even if clocks went back.
    const at = new Date(Math.max(...prefix.map((e) => new Date(e.at).getTime())));
    return this.counting.submit({ effectId: effect.id, at, increments: incrementsOf(prefix, event) });
  }

  private readonly counting = new GroupCommit<EventToCount>((events) => this.countEvents(events));

  private async countEvents(events: EventToCount[]): Promise<PromiseSettledResult<void>[]> {
    await this.ensureIndexes();
    const Processed = getProcessedEffectModel(this.db);
    const markers = events.map((e) => ({ _id: e.effectId, at: e.at }));
    // The markers and the generation are independent: one round trip. A marker must not
    // outlive a failure to count its event.
    const [metaRead, markErrors] = await Promise.all([
      this.meta().then(
        (meta) => ({ meta }),
        (error: unknown) => ({ error }),
      ),
      unorderedBulk(markers.length, () => Processed.collection.insertMany(markers as never[], { ordered: false })),
    ]);
    const outcomes: PromiseSettledResult<void>[] = events.map(() => ({ status: 'fulfilled', value: undefined }));
    const unmark = async (indexes: number[]) => {
      if (indexes.length) await Processed.deleteMany({ _id: { $in: indexes.map((i) => markers[i]!._id) } });
    };
    const fail = (indexes: number[], reason: unknown) => indexes.forEach((i) => (outcomes[i] = { status: 'rejected', reason }));
    const marked: number[] = [];
    markErrors.forEach((err, i) => {
      // A duplicate marker: this effect was counted already (a retry), nothing to do.
      if (!err) marked.push(i);
      else if (!isDuplicateKeyError(err)) fail([i], err);
    });
    if ('error' in metaRead) {
      await unmark(marked);
      fail(marked, metaRead.error);
      return outcomes;
    }
    const { active, building } = metaRead.meta;
    const batch = new RollupBatch();
    const counted: number[] = [];
    const uncounted: number[] = [];
    for (const i of marked) {
      const { at, increments } = events[i]!;
      const gens = [active, building].filter((g) => g && at >= g.cutoff).map((g) => g!.gen);
      if (!gens.length) {
        uncounted.push(i);
        continue;
      }
      batch.add(increments, gens);
      counted.push(i);
    }
    try {
      await Promise.all([unmark(uncounted), batch.flush(this.db)]);
    } catch (err) {
      await unmark(counted).catch(() => undefined);
      fail(counted, err);
    }
    return outcomes;
  }

  /**
   * Public statistics read the cohort rows (anonymise.ts), which rollups written before
   * they existed lack: a generation with event rows and no cohort rows is rebuilt once.
   * Returns whether it rebuilt.
   */
  async upgradeIfNeeded(): Promise<boolean> {
    const { active, building } = await this.meta();
    if (building) return false;
    const cohort = TIERS.find((t) => t.cohort)!;
    const events = TIERS.find((t) => t.name === 'month_city')!;
    const [hasEvents, hasCohorts] = await Promise.all([
      getRollupModel(this.db, events).exists({ g: active.gen }),
      getRollupModel(this.db, cohort).exists({ g: active.gen }),
    ]);
    if (!hasEvents || hasCohorts) return false;
    this.ctx.logger.info({ gen: active.gen }, 'statistics: rebuilding rollups to add the cohort rows public statistics read');
    await this.rebuild();
    return true;
  }

  /**
   * Recomputes every rollup from the case event logs alone, into a new generation that
   * replaces the current one when complete; queries keep reading the current one
   * meanwhile. Events from the cutoff on are counted into the new generation by the
   * subscriber, earlier ones by this replay (the same pure `applyEvent`). `graceMs`
   * lets transitions stamped just before the cutoff commit before the replay reads;
   * `flushRows` bounds the rows held in memory between writes (fewer, larger writes
   * insert more rows outright instead of incrementing them).
   */
  async rebuild(
    options: { graceMs?: number; force?: boolean; flushRows?: number } = {},
  ): Promise<{ gen: number; cases: number; events: number; rows: number }> {
    await this.ensureIndexes();
    const Meta = getStatsMetaModel(this.db);
    await Meta.updateOne({ _id: META_ID }, { $setOnInsert: { active: INITIAL_META.active, building: null } }, { upsert: true });
    const current = await this.meta();
    if (current.building && !options.force) {
      throw conflict('STATS_REBUILD_IN_PROGRESS', undefined, [
        { issue: `generation ${current.building.gen} started at ${current.building.startedAt.toISOString()}` },
      ]);
    }
    const gen = Math.max(current.active.gen, current.building?.gen ?? 0) + 1;
    const cutoff = this.ctx.clock.now();
    const claimed = await Meta.updateOne(
      { _id: META_ID, 'active.gen': current.active.gen, ...(current.building ? { 'building.gen': current.building.gen } : { building: null }) },
      { $set: { building: { gen, cutoff, startedAt: cutoff } } },
    );
    if (!claimed.modifiedCount) throw conflict('STATS_REBUILD_IN_PROGRESS');

    await new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 5000));
    for (const tier of TIERS) await getRollupModel(this.db, tier).deleteMany({ g: gen });

    const batch = new RollupBatch();
    let cases = 0;
    let events = 0;
    let rows = 0;
    const cursor = this.cases.eventLogs();
    for await (const doc of cursor) {
      const c = doc as unknown as Pick<CaseDoc, '_id' | 'events'>;
      cases += 1;
      // The log up to its first event at or after the cutoff (the subscriber counts the rest).
      const sorted = [...c.events].sort((a, b) => a.seq - b.seq);
      const end = sorted.findIndex((e) => new Date(e.at) >= cutoff);
      const prefix = end === -1 ? sorted : sorted.slice(0, end);
      replay(prefix, (_event, increments) => batch.add(increments, [gen]));
      events += prefix.length;
      if (batch.size >= (options.flushRows ?? REBUILD_FLUSH_ROWS)) {
        rows += batch.size;
        await batch.flush(this.db, { insertNew: true });
      }
    }
    rows += batch.size;
    await batch.flush(this.db, { insertNew: true });

    const swapped = await Meta.updateOne({ _id: META_ID, 'building.gen': gen }, { $set: { active: { gen, cutoff }, building: null } });
    if (!swapped.modifiedCount) throw conflict('STATS_REBUILD_IN_PROGRESS', '统计重建被另一次重建取代');
    for (const tier of TIERS) await getRollupModel(this.db, tier).deleteMany({ g: { $lt: gen } });
    await getProcessedEffectModel(this.db).deleteMany({ at: { $lt: cutoff } });
    this.onSwapped();
    return { gen, cases, events, rows };
  }
}
