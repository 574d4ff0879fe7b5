import { Types, type Connection, type QueryFilter, type mongo } from 'mongoose';
import type { CaseState } from '@ssp/shared';
import { keyset } from '../core/pagination';
import { groupedLookup } from '../core/group-commit';
import { getCaseModel, type CaseDoc } from './models';

/** A reporter's cases: newest first. */
const REPORTER_ORDER = keyset<CaseDoc, 'date'>('createdAt', -1, 'date');
/** Any other listing of cases: newest first (the statistics drill-down). */
const NEWEST_ORDER = keyset<CaseDoc, 'date'>('createdAt', -1, 'date');

/** Fields never needed by a listing: the event log, the queued effects. */
const LIST_PROJECTION = { events: 0, effects: 0 } as const;

/**
 * How other domains read cases. The workflow (workflow.ts) is the only writer; every read
 * from outside the cases domain comes through here, each saying which index serves it
 * (models.ts), so the read side of the collection is known in one place.
 */
export class CaseQueries {
  constructor(private readonly db: Connection) {}

  private get Case() {
    return getCaseModel(this.db);
  }

  /**
   * The model's collection, for the hot reads whose filters are already of the stored
   * types (ids, strings, dates, numbers): a mongoose query would only cast them again
   * (~30–40 µs a request). Lean results are the stored documents either way.
   */
  private get collection(): mongo.Collection {
    return this.Case.collection as unknown as mongo.Collection;
  }

  /** Creates the case indexes these reads rely on (startup, rebuilds). */
  async ensureIndexes(): Promise<void> {
    await this.Case.createIndexes();
  }

  /** The case with this id (the _id index), or null (also for a malformed id). */
  async byId(id: string): Promise<CaseDoc | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    return (await this.collection.findOne({ _id: new Types.ObjectId(id) })) as CaseDoc | null;
  }

  /** The case a submission created, by its idempotency key (unique index). */
  async byIdempotencyKey(idempotencyKey: string): Promise<CaseDoc | null> {
    const [found] = await this.byIdempotencyKeys([idempotencyKey]);
    return found ?? null;
  }

  /** Concurrent submissions look for their earlier copy in one query. */
  private readonly byIdempotencyKeys = groupedLookup(
    (keys) =>
      this.Case.find({ idempotencyKey: { $in: keys } })
        .lean<CaseDoc[]>()
        .exec(),
    (doc) => doc.idempotencyKey,
  );

  /** A case's number, or null (the _id index). */
  async caseNo(id: string): Promise<string | null> {
    return (await this.Case.findById(id).select({ caseNo: 1 }).lean<{ caseNo: string }>())?.caseNo ?? null;
  }

  /** Open cases of a category reported since `since` inside a box (index categoryId+state+createdAt). */
  async openNear(q: {
    categoryId: string;
    states: readonly CaseState[];
    since: Date;
    box: { minLat: number; maxLat: number; minLng: number; maxLng: number };
    limit: number;
  }): Promise<CaseDoc[]> {
    const filter = {
      categoryId: q.categoryId,
      state: { $in: q.states },
      createdAt: { $gte: q.since },
      'location.lat': { $gte: q.box.minLat, $lte: q.box.maxLat },
      'location.lng': { $gte: q.box.minLng, $lte: q.box.maxLng },
    };
    return (await this.collection.find(filter, { limit: q.limit }).toArray()) as CaseDoc[];
  }

  /** A reporter's cases, newest first, in keyset pages (index reporterId+createdAt). */
  async reporterPage(
    reporterId: string,
    q: { states?: readonly CaseState[]; cursor?: string; limit: number },
  ): Promise<{ items: CaseDoc[]; nextCursor: string | null }> {
    const filter: QueryFilter<CaseDoc> = { reporterId, ...(q.states ? { state: { $in: q.states } } : {}), ...REPORTER_ORDER.after(q.cursor) };
    const docs = (await this.collection
      .find(filter as mongo.Filter<mongo.Document>, { sort: REPORTER_ORDER.sort, limit: q.limit + 1, projection: LIST_PROJECTION })
      .toArray()) as CaseDoc[];
    return REPORTER_ORDER.page(docs, q.limit);
  }

  /** The case a platform knows by its own id (a scan: only platforms that call back by their id use it). */
  byForwardingId(targetId: string, externalId: string): Promise<CaseDoc | null> {
    return this.Case.findOne({ 'forwarding.externalId': externalId, 'forwarding.targetId': targetId }).lean<CaseDoc>().exec();
  }

  /** Whether the case is closed and not rated (a rating reminder still applies). */
  async isClosedUnrated(id: string): Promise<boolean> {
    return !!(await this.Case.exists({ _id: id, state: 'closed', rating: null }));
  }

  /** Ids of the cases showing this photo, before or after (a scan: rare, after an image check flags one). */
  async idsShowingPhoto(photoId: string): Promise<string[]> {
    const docs = await this.Case.find({ $or: [{ photoIds: photoId }, { afterPhotoIds: photoId }] }, { _id: 1 }).lean<{ _id: unknown }[]>();
    return docs.map((d) => String(d._id));
  }

  /**
   * Cases matching the caller's own criteria (Open311's published cases, the statistics
   * drill-down), newest first, without event logs; `cursor` pages by creation time.
   */
  async newest(
    filter: QueryFilter<CaseDoc>,
    q: { limit: number; cursor?: string; select?: Record<string, 0 | 1> },
  ): Promise<{ items: CaseDoc[]; nextCursor: string | null }> {
    const after = NEWEST_ORDER.after(q.cursor);
    const docs = await this.Case.find(Object.keys(after).length ? { $and: [filter, after] } : filter)
      .sort(NEWEST_ORDER.sort)
      .limit(q.limit + 1)
      .select(q.select ?? LIST_PROJECTION)
      .lean<CaseDoc[]>();
    return NEWEST_ORDER.page(docs, q.limit);
  }

  /** Every case's event log in _id order, for rebuilding what is derived from them (statistics). */
  eventLogs(batchSize = 200) {
    return this.Case.find({}, { events: 1 }).sort({ _id: 1 }).lean<Pick<CaseDoc, '_id' | 'events'>[]>().cursor({ batchSize });
  }
}
