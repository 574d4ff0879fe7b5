import { Schema, type Model } from 'mongoose';
import {
  ACTION_NAMES_ZH,
  ACTOR_ROLE_NAMES_ZH,
  CITIZEN_STATUS_OF,
  DEADLINE_RUNNING_STATES,
  OPEN_CASE_STATES,
  REJECT_REASON_NAMES_ZH,
  boundingBox,
  canTransition,
  distanceMeters,
  secondsUntilShanghaiMidnight,
  shanghaiDay,
  type SharedCase,
  statesForCitizenStatus,
  type ActorRole,
  type CaseState,
  type CitizenStatus,
  type NearbyCase,
  type RejectReason,
  type ReportDetail,
  type ReportSummary,
  type TimelineEntry,
  createReportSchema,
} from '@ssp/shared';
import type { z } from 'zod';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, tooManyRequests } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { ContentSecurity } from '../moderation/service';
import type { CampaignService } from '../campaigns/service';
import type { CaseDoc } from '../cases/models';
import type { CaseQueries } from '../cases/queries';
import { caseFlags, type CaseWorkflow } from '../cases/workflow';
import { isDuplicateKeyError } from '../db';
import { GroupCommit, outcomesOf, unorderedBulk } from '../core/group-commit';

type CreateReport = z.output<typeof createReportSchema>;

/** Transitions the reporter does not see: requests and answers internal to the centre. */
const INTERNAL_ACTIONS = new Set(['request_postpone', 'deny_postpone', 'support']);

/** `intents`: the idempotency keys holding the `count` slots, so copies of one submission take one slot. */
const quotaSchema = new Schema({ _id: String, count: Number, day: String, intents: [String] }, { collection: 'report_quotas', versionKey: false });
type QuotaDoc = { _id: string; count: number; day: string; intents: string[] };

/** The citizen side of cases: submit, find duplicates, back, edit, withdraw, track, rate. */
export class ReportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    private readonly catalogue: CatalogueService,
    private readonly media: MediaService,
    private readonly campaigns: CampaignService,
    private readonly moderation: ContentSecurity,
    private readonly cases: CaseQueries,
  ) {}

  private get Quota(): Model<QuotaDoc> {
    return (this.ctx.db.models.ReportQuota as Model<QuotaDoc>) ?? this.ctx.db.model('ReportQuota', quotaSchema);
  }

  /**
   * Concurrent submissions take their quota slots in one bulk write of conditional upserts.
   * No error means the slot was taken (the counter matched and was incremented, or was
   * created); a duplicate key means the counter exists and refused, as for a single upsert.
   */
  private readonly quotaTakes = new GroupCommit<{ filter: Record<string, unknown>; update: Record<string, unknown> }>(async (takes) => {
    const errors = await unorderedBulk(takes.length, () =>
      this.Quota.collection.bulkWrite(
        takes.map(({ filter, update }) => ({ updateOne: { filter, update, upsert: true } })),
        { ordered: false },
      ),
    );
    return outcomesOf(errors);
  });

  /** Submits a report; the same clientRequestId returns the first report instead of a second one. */
  async create(citizenId: string, input: CreateReport): Promise<{ created: boolean; doc: CaseDoc }> {
    const idempotencyKey = `citizen:${citizenId}:${input.clientRequestId}`;
    // These reads are independent of each other: a submission waits for one round trip
    // here, not three. A replay wins over any error; otherwise errors keep their order.
    const [existing, categoryFound, areaFound, photosOwned, textChecked] = await Promise.allSettled([
      this.cases.byIdempotencyKey(idempotencyKey),
      this.catalogue.requirePublicCategory(input.categoryId),
      this.catalogue.locate(input.location.lat, input.location.lng),
      this.media.requireOwnedPhotos(input.photoIds, { kind: 'citizen', id: citizenId }, 'photoIds'),
      // Others may see the description (a backed case): WeChat's text check first.
      this.moderation.checkText(citizenId, input.description, 'description', 3),
    ]);
    const replay = valueOf(existing);
    if (replay) return { created: false, doc: replay };
    const category = valueOf(categoryFound);
    const area = valueOf(areaFound);
    if (!area) {
      throw new ApiError(422, 'OUTSIDE_SERVICE_AREA', undefined, [{ field: 'location', issue: 'outside every grid of the service area' }]);
    }
    valueOf(photosOwned);
    valueOf(textChecked);
    // A report counts for a live campaign when it matches its categories, area and window,
    // whichever entry it came through; the client's campaignId is only the entry it used.
    const [campaign] = await Promise.all([
      this.campaigns.matchFor({
        categoryId: category.id,
        districtId: area.district.id,
        streetId: area.street.id,
        gridId: area.grid.id,
        at: this.ctx.clock.now(),
      }),
      this.takeDailyQuota(citizenId, idempotencyKey),
    ]);

    try {
      const doc = await this.workflow.create(
        {
          source: 'citizen',
          reporterId: citizenId,
          clientRequestId: input.clientRequestId,
          idempotencyKey,
          anonymous: input.anonymous,
          campaignId: campaign?.campaignId ?? null,
          categoryId: category.id,
          categoryName: category.name,
          family: category.family,
          majorCode: category.majorCode,
          description: input.description,
          address: input.address ?? null,
          location: { lat: input.location.lat, lng: input.location.lng },
          gridId: area.grid.id,
          streetId: area.street.id,
          districtId: area.district.id,
          photoIds: input.photoIds,
        },
        { role: 'reporter', id: citizenId },
      );
      return { created: true, doc };
    } catch (err) {
      // Two copies of the same request raced: the unique index let one through.
      if (isDuplicateKeyError(err)) {
        const winner = await this.cases.byIdempotencyKey(idempotencyKey);
        if (winner) return { created: false, doc: winner };
      }
      throw err;
    }
  }

  /**
   * One counter per citizen per Beijing day, taken with a conditional update that cannot
   * overshoot. A slot belongs to one intent (its idempotency key): copies of a submission
   * racing each other, or a retry of one that failed after taking its slot, share that
   * slot instead of using up the citizen's quota.
   */
  private async takeDailyQuota(citizenId: string, intent: string): Promise<void> {
    const now = this.ctx.clock.now();
    const day = shanghaiDay(now);
    const limit = this.ctx.config.reports.perDay;
    const _id = `${citizenId}:${day}`;
    const filter = { _id, count: { $lt: limit }, intents: { $ne: intent } };
    const take = { $inc: { count: 1 }, $push: { intents: intent } };
    try {
      // One operation in the usual case: the day's first report creates the counter with its slot.
      await this.quotaTakes.submit({ filter, update: { ...take, $setOnInsert: { day } } });
      return;
    } catch (err) {
      // The counter exists and refused (limit reached, or this intent holds a slot), or the
      // first reports of the day raced to create it: try once more on the existing counter.
      if (!isDuplicateKeyError(err)) throw err;
    }
    const taken = await this.Quota.updateOne(filter, take);
    if (taken.modifiedCount === 1 || (await this.Quota.exists({ _id, intents: intent }))) return;
    throw tooManyRequests(secondsUntilShanghaiMidnight(now), `每人每天最多上报 ${limit} 次，请明天再来`);
  }

  async nearby(citizenId: string, lat: number, lng: number, categoryId: string): Promise<NearbyCase[]> {
    const { duplicateRadiusM, duplicateMaxAgeDays } = this.ctx.config.reports;
    const center = { lat, lng };
    const box = boundingBox(center, duplicateRadiusM);
    const since = new Date(this.ctx.clock.now().getTime() - duplicateMaxAgeDays * 86_400_000);
    const candidates = await this.cases.openNear({ categoryId, states: OPEN_CASE_STATES, since, box, limit: 200 });
    return candidates
      .map((c) => ({ c, distance: distanceMeters(center, c.location) }))
      .filter(({ distance }) => distance <= duplicateRadiusM)
      .sort((a, b) => a.distance - b.distance)
      .map(({ c, distance }) => ({
        id: String(c._id),
        caseNo: c.caseNo,
        categoryName: c.categoryName,
        status: CITIZEN_STATUS_OF[c.state as CaseState],
        distanceM: Math.round(distance / 10) * 10,
        createdAt: c.createdAt.toISOString(),
        supporterCount: c.supporterCount,
        thumbUrl: c.photoIds[0] ? this.media.photoUrls(c.photoIds[0]).thumbUrl : null,
        supportedByMe: c.supporterIds.includes(citizenId),
        mine: c.reporterId === citizenId,
      }));
  }

  /** "我也遇到": backing a case twice counts once; concurrent backers are all counted. */
  async support(citizenId: string, caseId: string): Promise<{ id: string; supporterCount: number; supported: true }> {
    const current = await this.workflow.get(caseId);
    if (current.reporterId === citizenId) throw new ApiError(400, 'CANNOT_SUPPORT_OWN');
    if (current.supporterIds.includes(citizenId)) {
      return { id: String(current._id), supporterCount: current.supporterCount, supported: true };
    }
    if (!OPEN_CASE_STATES.includes(current.state as CaseState)) throw new ApiError(409, 'CASE_NOT_OPEN');
    const doc = await this.workflow.support(caseId, citizenId, { role: 'citizen', id: citizenId });
    return { id: String(doc._id), supporterCount: doc.supporterCount, supported: true };
  }

  /** A case by id, where a missing one answers exactly like someone else's (no existence oracle). */
  private async reportById(id: string): Promise<CaseDoc> {
    const doc = await this.cases.byId(id);
    if (!doc) throw notFound('上报不存在');
    return doc;
  }

  private async ownReport(citizenId: string, id: string): Promise<CaseDoc> {
    const doc = await this.reportById(id);
    if (doc.reporterId !== citizenId) throw notFound('上报不存在');
    return doc;
  }

  async editDescription(citizenId: string, id: string, description: string): Promise<CaseDoc> {
    const doc = await this.ownReport(citizenId, id);
    await this.moderation.checkText(citizenId, description, 'description', 3);
    const updated = await this.workflow.annotate(String(doc._id), { kind: 'description', reporterId: citizenId, description });
    if (!updated) throw conflict('REPORT_NOT_EDITABLE');
    return updated;
  }

  async withdraw(citizenId: string, id: string): Promise<CaseDoc> {
    const doc = await this.ownReport(citizenId, id);
    if (doc.state !== 'pending') throw conflict('REPORT_NOT_EDITABLE');
    return this.workflow.transition(id, { action: 'withdraw', actor: { role: 'reporter', id: citizenId }, expectedVersion: doc.version });
  }

  async rate(citizenId: string, id: string, score: number, comment: string): Promise<CaseDoc> {
    const doc = await this.ownReport(citizenId, id);
    await this.moderation.checkText(citizenId, comment, 'comment', 2);
    if (doc.rating) throw conflict('ALREADY_RATED');
    if (doc.state !== 'closed' || doc.reopenRequest) throw conflict('NOT_RATABLE');
    try {
      return await this.workflow.transition(id, {
        action: 'rate',
        actor: { role: 'reporter', id: citizenId },
        data: { score },
        set: { rating: { score, comment, at: this.ctx.clock.now() } },
      });
    } catch (err) {
      // A second rating raced the first one.
      if (err instanceof ApiError && err.code === 'ILLEGAL_TRANSITION') throw conflict('ALREADY_RATED');
      throw err;
    }
  }

  /** "没修好": asks an operator to reopen the closed case. */
  async reportNotFixed(citizenId: string, id: string, note: string): Promise<CaseDoc> {
    await this.moderation.checkText(citizenId, note, 'note', 2);
    const doc = await this.ownReport(citizenId, id);
    if (doc.rating) throw conflict('ALREADY_RATED', '您已评价过该案件，无法再反馈未解决');
    return this.workflow.transition(id, {
      action: 'request_reopen',
      actor: { role: 'reporter', id: citizenId },
      expectedVersion: doc.version,
      publicNote: note,
      set: { reopenRequest: { at: this.ctx.clock.now(), note } },
    });
  }

  async confirmFixed(citizenId: string, id: string): Promise<CaseDoc> {
    const doc = await this.ownReport(citizenId, id);
    return this.workflow.transition(id, {
      action: 'confirm_fixed',
      actor: { role: 'reporter', id: citizenId },
      expectedVersion: doc.version,
      set: { closedAt: this.ctx.clock.now() },
    });
  }

  async listMine(citizenId: string, opts: { status?: CitizenStatus; cursor?: string; limit: number }) {
    const page = await this.cases.reporterPage(citizenId, {
      states: opts.status ? statesForCitizenStatus(opts.status) : undefined,
      cursor: opts.cursor,
      limit: opts.limit,
    });
    return { items: page.items.map((d) => this.summary(d)), nextCursor: page.nextCursor };
  }

  /** The reporter shares a closed case: from now on anyone with the link sees it anonymised. */
  async share(citizenId: string, id: string): Promise<SharedCase> {
    const doc = await this.ownReport(citizenId, id);
    if (doc.state !== 'closed') throw conflict('CASE_NOT_CLOSED', '案件结案后才能分享');
    const shared = doc.sharedAt ? doc : await this.workflow.annotate(id, { kind: 'shared', reporterId: citizenId, at: this.ctx.clock.now() });
    if (!shared) throw conflict('CASE_NOT_CLOSED', '案件结案后才能分享');
    return this.sharedView(shared);
  }

  /** A shared closed case, for anyone: category, area down to the grid, dates, before and after photos. */
  async sharedCase(id: string): Promise<SharedCase> {
    const doc = await this.reportById(id);
    if (!doc.sharedAt || doc.state !== 'closed') throw notFound('分享不存在或已失效');
    return this.sharedView(doc);
  }

  private async sharedView(doc: CaseDoc): Promise<SharedCase> {
    const area = await this.catalogue.locate(doc.location.lat, doc.location.lng);
    const hidden = new Set(doc.flaggedPhotoIds ?? []);
    const photos = (ids: string[]) => ids.filter((p) => !hidden.has(p)).map((p) => this.media.photoUrls(p));
    return {
      id: String(doc._id),
      categoryName: doc.categoryName,
      area: area ? `${area.district.name} ${area.street.name} ${area.grid.name}` : '',
      reportedOn: shanghaiDay(doc.createdAt),
      closedOn: doc.closedAt ? shanghaiDay(doc.closedAt) : null,
      before: photos(doc.photoIds),
      after: photos(doc.afterPhotoIds ?? []),
    };
  }

  /** The reporter's own report, or a case the citizen backed (anonymised). Anyone else: 404. */
  async detailFor(citizenId: string, id: string): Promise<ReportDetail> {
    const doc = await this.reportById(id);
    const relation = doc.reporterId === citizenId ? 'reporter' : doc.supporterIds.includes(citizenId) ? 'supporter' : null;
    if (!relation) throw notFound('上报不存在');
    return this.detail(doc, relation);
  }

  summary(doc: CaseDoc): ReportSummary {
    return {
      id: String(doc._id),
      caseNo: doc.caseNo,
      categoryId: doc.categoryId,
      categoryName: doc.categoryName,
      status: CITIZEN_STATUS_OF[doc.state as CaseState],
      state: doc.state as CaseState,
      address: doc.address ?? null,
      thumbUrl: doc.photoIds[0] ? this.media.photoUrls(doc.photoIds[0]).thumbUrl : null,
      supporterCount: doc.supporterCount,
      createdAt: doc.createdAt.toISOString(),
      updatedAt: doc.updatedAt.toISOString(),
    };
  }

  async detail(doc: CaseDoc, relation: 'reporter' | 'supporter'): Promise<ReportDetail> {
    const isReporter = relation === 'reporter';
    const photo = (id: string) => ({ id, ...this.media.photoUrls(id) });
    const timeline: TimelineEntry[] = doc.events
      .filter((e) => !INTERNAL_ACTIONS.has(e.action))
      .map((e) => ({
        at: e.at.toISOString(),
        action: e.action,
        actionName: ACTION_NAMES_ZH[e.action as keyof typeof ACTION_NAMES_ZH] ?? e.action,
        status: CITIZEN_STATUS_OF[e.to as CaseState],
        actor: ACTOR_ROLE_NAMES_ZH[e.actorRole as ActorRole] ?? '系统',
        note: e.publicNote ?? null,
        photos: e.action === 'submit' && !isReporter ? [] : (e.photoIds ?? []).map(photo),
      }));
    const flags = caseFlags(doc, this.ctx.config.cases.reporterMayConfirm);
    const state = doc.state as CaseState;
    const canRate = isReporter && state === 'closed' && !doc.rating && !doc.reopenRequest;
    const mergedCaseNo = doc.duplicateOf ? await this.cases.caseNo(String(doc.duplicateOf)) : null;
    // Object.assign rather than a spread with these fields after it (same keys, same order):
    // V8 builds such a literal property by property, ~20 µs a detail.
    return Object.assign(this.summary(doc), {
      // A backer sees the case anonymised: no reporter text, address or exact position.
      address: isReporter ? (doc.address ?? null) : null,
      relation,
      description: isReporter ? doc.description : '',
      location: isReporter ? { lat: doc.location.lat, lng: doc.location.lng } : null,
      anonymous: isReporter ? doc.anonymous : true,
      deadline: doc.deadline ? doc.deadline.toISOString() : null,
      overdue: !!doc.deadline && DEADLINE_RUNNING_STATES.includes(state) && doc.deadline.getTime() < this.ctx.clock.now().getTime(),
      photos: doc.photoIds.map(photo),
      afterPhotos: (doc.afterPhotoIds ?? []).map(photo),
      timeline,
      rejectReason: doc.rejectReason ? REJECT_REASON_NAMES_ZH[doc.rejectReason as RejectReason] : null,
      mergedInto: doc.duplicateOf && mergedCaseNo ? { id: String(doc.duplicateOf), caseNo: mergedCaseNo } : null,
      rating: doc.rating ? { score: doc.rating.score!, comment: doc.rating.comment ?? '', at: doc.rating.at!.toISOString() } : null,
      reopenRequested: !!doc.reopenRequest,
      can: {
        edit: isReporter && state === 'pending',
        withdraw: isReporter && canTransition('withdraw', state, 'reporter', flags),
        rate: canRate,
        reportNotFixed: canRate && canTransition('request_reopen', state, 'reporter', flags),
        confirmFixed: isReporter && canTransition('confirm_fixed', state, 'reporter', flags),
      },
    });
  }
}

/** The value of a settled promise, or its error thrown. */
function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
