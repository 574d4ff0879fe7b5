import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import {
  CAMPAIGN_MAX_DAYS,
  CAMPAIGN_RECENTLY_ENDED_DAYS,
  CAMPAIGN_STATUS_NAMES_ZH,
  addDays,
  campaignEffectiveEnd,
  campaignStatusAt,
  pageRoute,
  shanghaiDay,
  shanghaiMinute,
  type AdminCampaign,
  type AdminCampaignList,
  type AreaTree,
  type CampaignChange,
  type CampaignDayResult,
  type CampaignList,
  type CampaignResults,
  type CampaignStatus,
  type CampaignSubscriptions,
  type CampaignSummary,
  type CreateCampaign,
  type ErrorDetail,
  type PublicCampaign,
  type UpdateCampaign,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, validationFailed } from '../core/errors';
import { toCsv } from '../core/csv';
import { getCitizenModel, getStaffModel } from '../auth/models';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { NotificationService } from '../notifications/service';
import type { ContentSecurity } from '../moderation/service';
import type { CaseDoc, CaseEffect, CaseEvent } from '../cases/models';
import {
  campaignDayModel,
  campaignModel,
  campaignParticipantModel,
  campaignSubscriptionModel,
  type CampaignChangeDoc,
  type CampaignDoc,
  type StaffRef,
} from './models';
import { bodyText, inspectBody, sanitizeBody } from './sanitize';
import { isDuplicateKeyError } from '../db';

/** Where a citizen report was made, as ReportService.create knows it before the case exists. */
export interface ReportPlace {
  categoryId: string;
  districtId: string;
  streetId: string;
  gridId: string;
  at: Date;
}

export interface CampaignMatch {
  campaignId: string;
  multiplier: number;
}

type EditableField =
  'title' | 'summary' | 'body' | 'coverPhotoId' | 'startAt' | 'endAt' | 'targetCategoryIds' | 'targetAreaIds' | 'multiplier' | 'participationGoal';
type Fields = Pick<CampaignDoc, EditableField>;

const EDITABLE_FIELDS: EditableField[] = [
  'title',
  'summary',
  'body',
  'coverPhotoId',
  'startAt',
  'endAt',
  'targetCategoryIds',
  'targetAreaIds',
  'multiplier',
  'participationGoal',
];
/** What a live campaign keeps: changing them would change which reports count, or how much. */
const LOCKED_WHILE_LIVE: EditableField[] = ['startAt', 'multiplier', 'targetCategoryIds', 'targetAreaIds'];

const DAY_MS = 86_400_000;
const LIST_PROJECTION = { body: 0, changes: 0 } as const;

/** WeChat `thing` fields take at most 20 characters. */
function thing(text: string, fallback: string): string {
  const chars = Array.from(text.trim() || fallback);
  return chars.length <= 20 ? chars.join('') : `${chars.slice(0, 19).join('')}…`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** Change-log value: dates as ISO text, lists joined; the rich-text body is only named. */
function logValue(value: unknown): string | number | boolean | null {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(', ');
  if (value === undefined) return null;
  return value as string | number | boolean | null;
}

interface AreaIndex {
  byId: Map<string, { name: string; districtId: string }>;
  districtIds: Set<string>;
}

/** Published campaigns as the matcher keeps them, with their targets as sets. */
interface LiveEntry {
  doc: CampaignDoc;
  categories: Set<string>;
  areas: Set<string>;
}

/**
 * Participation campaigns: the publicity staff's editor and lifecycle, the citizens'
 * list and detail, matching reports to campaigns, results counted from case events,
 * and go-live reminders.
 */
export class CampaignService {
  /** How long the in-memory list of published campaigns is trusted; changes through this process clear it at once. */
  cacheTtlMs = 5000;
  private cache?: { loadedAt: number; entries: LiveEntry[] };
  private cacheGeneration = 0;
  private readonly areaIndexes = new WeakMap<AreaTree, AreaIndex>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalogue: CatalogueService,
    private readonly media: MediaService,
    private readonly notifications: NotificationService,
    private readonly contentSecurity: Pick<ContentSecurity, 'checkStaffTexts' | 'checkStaffPhoto'>,
    /** Asked of the points domain, which owns the ledger. */
    private readonly points: { netPointsOfCampaign(campaignId: string): Promise<number> },
  ) {}

  private get Campaign() {
    return campaignModel(this.ctx.db);
  }

  private get Day() {
    return campaignDayModel(this.ctx.db);
  }

  private get Participant() {
    return campaignParticipantModel(this.ctx.db);
  }

  private get Subscription() {
    return campaignSubscriptionModel(this.ctx.db);
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  private statusOf(doc: CampaignDoc, at = this.now()): CampaignStatus {
    return campaignStatusAt(doc, at);
  }

  // ------------------------------------------------------------ matching (reports, points)

  /**
   * The live campaign a report counts for: its categories (or all) and areas (or the
   * whole city) include the report, and it is live at `at`. Several: the highest
   * multiplier wins, then the earliest start.
   */
  async matchFor(report: ReportPlace): Promise<CampaignMatch | null> {
    let best: CampaignDoc | null = null;
    for (const { doc, categories, areas } of await this.publishedCampaigns()) {
      if (this.statusOf(doc, report.at) !== 'live') continue;
      if (categories.size && !categories.has(report.categoryId)) continue;
      if (areas.size && !areas.has(report.districtId) && !areas.has(report.streetId) && !areas.has(report.gridId)) continue;
      const better =
        !best ||
        doc.multiplier > best.multiplier ||
        (doc.multiplier === best.multiplier &&
          (doc.startAt < best.startAt || (doc.startAt.getTime() === best.startAt.getTime() && String(doc._id) < String(best._id))));
      if (better) best = doc;
    }
    return best ? { campaignId: String(best._id), multiplier: best.multiplier } : null;
  }

  /** The campaign's points multiplier; null for an unknown or unpublished (retracted) campaign. */
  async multiplierFor(campaignId: string): Promise<number | null> {
    if (!Types.ObjectId.isValid(campaignId)) return null;
    const doc = await this.Campaign.findById(campaignId)
      .select({ multiplier: 1, published: 1 })
      .lean<Pick<CampaignDoc, 'multiplier' | 'published'>>();
    return doc?.published ? doc.multiplier : null;
  }

  private async publishedCampaigns(): Promise<LiveEntry[]> {
    if (this.cache && performance.now() - this.cache.loadedAt < this.cacheTtlMs) return this.cache.entries;
    const generation = this.cacheGeneration;
    const loadedAt = performance.now();
    const docs = await this.Campaign.find({ published: true, endedAt: null, endAt: { $gt: this.now() } })
      .select(LIST_PROJECTION)
      .lean<CampaignDoc[]>();
    const entries = docs.map((doc) => ({ doc, categories: new Set(doc.targetCategoryIds), areas: new Set(doc.targetAreaIds) }));
    // A change made while loading leaves the cache empty rather than stale.
    if (generation === this.cacheGeneration) this.cache = { loadedAt, entries };
    return entries;
  }

  private invalidate(): void {
    this.cacheGeneration += 1;
    this.cache = undefined;
  }

  // ------------------------------------------------------------ staff: editor and lifecycle

  async create(staffId: string, input: CreateCampaign): Promise<AdminCampaign> {
    const fields: Fields = {
      title: input.title,
      summary: input.summary,
      body: input.body,
      coverPhotoId: input.coverPhotoId,
      startAt: input.startAt,
      endAt: input.endAt,
      targetCategoryIds: input.targetCategoryIds,
      targetAreaIds: input.targetAreaIds,
      multiplier: input.multiplier,
      participationGoal: input.participationGoal,
    };
    const clean = await this.checkFields(fields, new Set(EDITABLE_FIELDS), staffId);
    const now = this.now();
    const by = await this.staffRef(staffId);
    const created = await this.Campaign.create({
      ...clean,
      published: false,
      endedAt: null,
      liveNotifiedAt: null,
      version: 1,
      createdBy: by,
      createdAt: now,
      updatedAt: now,
      changes: [{ at: now, by, action: 'create', fields: EDITABLE_FIELDS, diff: [], reason: null }],
    });
    this.invalidate();
    return this.toAdmin(created.toObject() as CampaignDoc);
  }

  async update(staffId: string, id: string, input: UpdateCampaign): Promise<AdminCampaign> {
    const doc = await this.requireCampaign(id);
    const status = this.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED');
    this.checkVersion(doc, input.version);

    const proposed: Fields = { ...doc };
    for (const field of EDITABLE_FIELDS) {
      if (input[field] !== undefined) (proposed as Record<string, unknown>)[field] = input[field];
    }
    const changed = new Set(EDITABLE_FIELDS.filter((f) => input[f] !== undefined && !sameValue(input[f], doc[f])));
    if (status === 'live') {
      const locked = LOCKED_WHILE_LIVE.filter((f) => changed.has(f));
      if (locked.length) {
        throw conflict(
          'CAMPAIGN_LIVE_LOCKED',
          undefined,
          locked.map((field) => ({ field, issue: '活动进行中，不能修改' })),
        );
      }
    }
    const clean = await this.checkFields(proposed, changed, staffId, doc.published);
    if (changed.has('body') && clean.body === doc.body) changed.delete('body');
    if (changed.size === 0) return this.toAdmin(doc);
    // Citizens read a published campaign: what changes in it passes WeChat's checks first.
    if (doc.published) await this.checkContent(staffId, clean, changed);

    const set: Partial<Fields> = {};
    for (const field of changed) (set as Record<string, unknown>)[field] = clean[field];
    const diff = [...changed]
      .filter((field) => field !== 'body')
      .map((field) => ({ field, before: logValue(doc[field]), after: logValue(clean[field]) }));
    return this.apply(doc, set, { action: 'update', fields: [...changed], diff, reason: null }, staffId);
  }

  async publish(staffId: string, id: string, version?: number): Promise<AdminCampaign> {
    const doc = await this.requireCampaign(id);
    const status = this.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED');
    if (status !== 'draft') throw conflict('CAMPAIGN_ALREADY_PUBLISHED');
    this.checkVersion(doc, version);
    if (doc.endAt <= this.now()) throw validationFailed([{ field: 'endAt', issue: '结束时间已过，请先修改活动时间再发布' }]);
    await this.checkContent(staffId, doc, new Set(EDITABLE_FIELDS));
    return this.apply(
      doc,
      { published: true },
      { action: 'publish', fields: ['published'], diff: [{ field: 'published', before: false, after: true }], reason: null },
      staffId,
    );
  }

  /** Takes a scheduled or live campaign back to draft; the reason goes into the change log. */
  async unpublish(staffId: string, id: string, reason: string, version?: number): Promise<AdminCampaign> {
    const doc = await this.requireCampaign(id);
    const status = this.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED');
    if (status === 'draft') throw conflict('CAMPAIGN_NOT_PUBLISHED');
    this.checkVersion(doc, version);
    return this.apply(
      doc,
      { published: false },
      { action: 'unpublish', fields: ['published'], diff: [{ field: 'published', before: true, after: false }], reason },
      staffId,
    );
  }

  /** Ends a scheduled or live campaign now. */
  async end(staffId: string, id: string, reason: string | null, version?: number): Promise<AdminCampaign> {
    const doc = await this.requireCampaign(id);
    const status = this.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED', '活动已结束');
    if (status === 'draft') throw conflict('CAMPAIGN_NOT_PUBLISHED');
    this.checkVersion(doc, version);
    const now = this.now();
    return this.apply(
      doc,
      { endedAt: now },
      { action: 'end', fields: ['endedAt'], diff: [{ field: 'endedAt', before: null, after: now.toISOString() }], reason },
      staffId,
    );
  }

  async list(): Promise<AdminCampaignList> {
    const docs = await this.Campaign.find().select(LIST_PROJECTION).sort({ createdAt: -1 }).limit(500).lean<CampaignDoc[]>();
    const now = this.now();
    return {
      items: docs.map((doc) => ({
        id: String(doc._id),
        version: doc.version,
        status: this.statusOf(doc, now),
        title: doc.title,
        startAt: doc.startAt.toISOString(),
        endAt: doc.endAt.toISOString(),
        endedAt: doc.endedAt ? doc.endedAt.toISOString() : null,
        multiplier: doc.multiplier,
        updatedAt: doc.updatedAt.toISOString(),
      })),
    };
  }

  async adminDetail(id: string): Promise<AdminCampaign> {
    return this.toAdmin(await this.requireCampaign(id));
  }

  /** Exactly what citizens will see, drafts included. */
  async preview(id: string): Promise<PublicCampaign> {
    return this.toPublic(await this.requireCampaign(id));
  }

  private async requireCampaign(id: string): Promise<CampaignDoc> {
    const doc = Types.ObjectId.isValid(id) ? await this.Campaign.findById(id).lean<CampaignDoc>() : null;
    if (!doc) throw notFound('活动不存在');
    return doc;
  }

  private checkVersion(doc: CampaignDoc, version: number | undefined): void {
    if (version !== undefined && version !== doc.version) {
      throw conflict('CONFLICT', '活动已被他人修改，请刷新后重试', [{ field: 'version', issue: `当前版本为 ${doc.version}` }]);
    }
  }

  /** One guarded single-document update: the change, the version bump and the log entry together. */
  private async apply(
    doc: CampaignDoc,
    set: Partial<CampaignDoc>,
    change: Omit<CampaignChangeDoc, 'at' | 'by'>,
    staffId: string,
  ): Promise<AdminCampaign> {
    const now = this.now();
    const entry: CampaignChangeDoc = { at: now, by: await this.staffRef(staffId), ...change };
    const updated = await this.Campaign.findOneAndUpdate(
      { _id: doc._id, version: doc.version },
      { $set: { ...set, updatedAt: now }, $inc: { version: 1 }, $push: { changes: entry } },
      { returnDocument: 'after' },
    ).lean<CampaignDoc>();
    if (!updated) throw conflict('CONFLICT', '活动已被他人修改，请刷新后重试');
    this.invalidate();
    return this.toAdmin(updated);
  }

  private async staffRef(staffId: string): Promise<StaffRef> {
    const staff = await getStaffModel(this.ctx.db).findById(staffId).select({ displayName: 1 }).lean<{ displayName?: string }>();
    return { id: staffId, name: staff?.displayName ?? staffId };
  }

  /**
   * Checks the fields that changed (all of them on create) against the catalogue,
   * the config and the clock; returns them with the body sanitised. Field-level
   * problems are one 400 VALIDATION_FAILED listing each field.
   */
  /** WeChat content security of what citizens will read: title, summary, the body's text and images, the cover. */
  private async checkContent(staffId: string, fields: Fields, which: ReadonlySet<EditableField>): Promise<void> {
    const texts = (['title', 'summary', 'body'] as const)
      .filter((f) => which.has(f))
      .map((field) => ({ field, text: field === 'body' ? bodyText(fields.body) : fields[field] }));
    await this.contentSecurity.checkStaffTexts(staffId, texts, 3);
    const photoIds = new Set(which.has('body') ? inspectBody(fields.body, this.ctx.config.publicBaseUrl).photoIds : []);
    if (which.has('coverPhotoId') && fields.coverPhotoId) photoIds.add(fields.coverPhotoId);
    for (const photoId of photoIds) await this.contentSecurity.checkStaffPhoto(staffId, photoId);
  }

  private async checkFields(fields: Fields, changed: ReadonlySet<EditableField>, staffId: string, published = false): Promise<Fields> {
    const { multiplierMin, multiplierMax, bodyMaxChars } = this.ctx.config.campaigns;
    const details: ErrorDetail[] = [];
    const now = this.now();

    if (changed.has('startAt') || changed.has('endAt')) {
      if (fields.endAt <= fields.startAt) details.push({ field: 'endAt', issue: '结束时间必须晚于开始时间' });
      else if (fields.endAt.getTime() - fields.startAt.getTime() > CAMPAIGN_MAX_DAYS * DAY_MS) {
        details.push({ field: 'endAt', issue: `活动时长最多 ${CAMPAIGN_MAX_DAYS} 天` });
      } else if (fields.endAt <= now) details.push({ field: 'endAt', issue: '结束时间已过' });
      if (published && changed.has('startAt') && fields.startAt < now) {
        details.push({ field: 'startAt', issue: '已发布活动的开始时间不能改到过去' });
      }
    }
    if (changed.has('multiplier')) {
      const m = fields.multiplier;
      if (m < multiplierMin || m > multiplierMax)
        details.push({ field: 'multiplier', issue: `积分倍数应在 ${multiplierMin} 到 ${multiplierMax} 之间` });
      else if (Math.round(m * 100) !== m * 100) details.push({ field: 'multiplier', issue: '积分倍数最多两位小数' });
    }
    if (changed.has('targetCategoryIds') && fields.targetCategoryIds.length) {
      const known = new Set((await this.catalogue.allCategories()).map((c) => c.id));
      fields.targetCategoryIds.forEach((id, i) => {
        if (!known.has(id)) details.push({ field: `targetCategoryIds[${i}]`, issue: `类别 ${id} 不存在` });
      });
    }
    if (changed.has('targetAreaIds') && fields.targetAreaIds.length) {
      const areas = await this.areaIndex();
      fields.targetAreaIds.forEach((id, i) => {
        if (!areas.byId.has(id)) details.push({ field: `targetAreaIds[${i}]`, issue: `区域 ${id} 不存在` });
      });
    }
    if (changed.has('body') && fields.body.length > bodyMaxChars) {
      details.push({ field: 'body', issue: `正文最多 ${bodyMaxChars} 个字符` });
    }
    if (details.length) throw validationFailed(details);

    let body = fields.body;
    if (changed.has('body')) {
      const base = this.ctx.config.publicBaseUrl;
      const inspection = inspectBody(fields.body, base);
      if (inspection.refusals.length) throw new ApiError(400, 'CAMPAIGN_BODY_UNSAFE', undefined, inspection.refusals);
      // Images may show any staff upload (colleagues edit each other's campaigns), never a citizen's photo.
      const staffPhotos = (await this.media.getPhotos(inspection.photoIds)).filter((p) => p.ownerKind === 'staff');
      body = sanitizeBody(fields.body, base, new Set(staffPhotos.map((p) => p._id)));
    }
    if (changed.has('coverPhotoId') && fields.coverPhotoId) {
      const [photo] = await this.media.getPhotos([fields.coverPhotoId]);
      if (!photo || photo.ownerKind !== 'staff' || photo.ownerId !== staffId) {
        throw new ApiError(400, 'PHOTO_NOT_FOUND', undefined, [{ field: 'coverPhotoId', issue: '封面照片不存在或不是您上传的' }]);
      }
    }
    return { ...fields, body };
  }

  // ------------------------------------------------------------ citizens

  /** Live first (ending soonest first), then upcoming, then those ended in the last 30 days. */
  async publicList(): Promise<CampaignList> {
    const now = this.now();
    const cutoff = new Date(now.getTime() - CAMPAIGN_RECENTLY_ENDED_DAYS * DAY_MS);
    const docs = await this.Campaign.find({
      published: true,
      $or: [{ endedAt: null, endAt: { $gt: cutoff } }, { endedAt: { $gt: cutoff } }],
    })
      .select(LIST_PROJECTION)
      .limit(500)
      .lean<CampaignDoc[]>();
    const rank: Record<CampaignStatus, number> = { live: 0, scheduled: 1, ended: 2, draft: 3 };
    const sortKey = (doc: CampaignDoc, status: CampaignStatus) =>
      status === 'live' ? doc.endAt.getTime() : status === 'scheduled' ? doc.startAt.getTime() : -campaignEffectiveEnd(doc).getTime();
    const items = docs
      .map((doc) => ({ doc, status: this.statusOf(doc, now) }))
      .sort((a, b) => rank[a.status] - rank[b.status] || sortKey(a.doc, a.status) - sortKey(b.doc, b.status));
    return { items: items.map(({ doc, status }) => this.toSummary(doc, status)) };
  }

  /** A published campaign as citizens see it; drafts are 404. */
  async publicDetail(id: string): Promise<PublicCampaign> {
    const doc = await this.requireCampaign(id);
    if (!doc.published) throw notFound('活动不存在');
    return this.toPublic(doc);
  }

  private cover(doc: CampaignDoc) {
    return doc.coverPhotoId ? this.media.photoUrls(doc.coverPhotoId) : null;
  }

  private toSummary(doc: CampaignDoc, status: CampaignStatus): CampaignSummary {
    return {
      id: String(doc._id),
      title: doc.title,
      summary: doc.summary,
      cover: this.cover(doc),
      startAt: doc.startAt.toISOString(),
      endAt: campaignEffectiveEnd(doc).toISOString(),
      status,
      statusName: CAMPAIGN_STATUS_NAMES_ZH[status],
      multiplier: doc.multiplier,
    };
  }

  private async toPublic(doc: CampaignDoc): Promise<PublicCampaign> {
    const campaignId = String(doc._id);
    const categories = new Map((await this.catalogue.allCategories()).map((c) => [c.id, c.name]));
    const areas = await this.areaIndex();
    const totals = await this.totals(campaignId);
    return {
      ...this.toSummary(doc, this.statusOf(doc)),
      body: doc.body,
      targetCategories: doc.targetCategoryIds.map((id) => ({ id, name: categories.get(id) ?? id })),
      targetAreas: doc.targetAreaIds.map((id) => ({ id, name: areas.byId.get(id)?.name ?? id })),
      progress: {
        reportsReceived: totals.received,
        fixed: totals.closed,
        participants: await this.Participant.countDocuments({ campaignId }),
        goal: doc.participationGoal,
      },
    };
  }

  private toAdmin(doc: CampaignDoc): AdminCampaign {
    return {
      id: String(doc._id),
      version: doc.version,
      status: this.statusOf(doc),
      title: doc.title,
      summary: doc.summary,
      body: doc.body,
      coverPhotoId: doc.coverPhotoId,
      cover: this.cover(doc),
      startAt: doc.startAt.toISOString(),
      endAt: doc.endAt.toISOString(),
      endedAt: doc.endedAt ? doc.endedAt.toISOString() : null,
      published: doc.published,
      targetCategoryIds: doc.targetCategoryIds,
      targetAreaIds: doc.targetAreaIds,
      multiplier: doc.multiplier,
      participationGoal: doc.participationGoal,
      createdBy: doc.createdBy,
      createdAt: doc.createdAt.toISOString(),
      updatedAt: doc.updatedAt.toISOString(),
      changes: doc.changes.map((c): CampaignChange => ({
        at: c.at.toISOString(),
        by: { id: c.by.id, name: c.by.name },
        action: c.action,
        fields: c.fields,
        diff: c.diff.map((d) => ({ field: d.field, before: d.before ?? null, after: d.after ?? null })),
        reason: c.reason ?? null,
      })),
    };
  }

  /** Area ids (district, street, grid) with names and their district, per area-tree revision. */
  private async areaIndex(): Promise<AreaIndex> {
    const tree = await this.catalogue.areaTree();
    let index = this.areaIndexes.get(tree);
    if (!index) {
      index = { byId: new Map(), districtIds: new Set() };
      for (const d of tree.districts) {
        index.districtIds.add(d.id);
        index.byId.set(d.id, { name: d.name, districtId: d.id });
        for (const s of d.streets) {
          index.byId.set(s.id, { name: s.name, districtId: d.id });
          for (const g of s.grids) index.byId.set(g.id, { name: g.name, districtId: d.id });
        }
      }
      this.areaIndexes.set(tree, index);
    }
    return index;
  }

  // ------------------------------------------------------------ results

  /**
   * Case-event subscriber: counts reports received, filed and closed per campaign and
   * Beijing day, and records participants. The day counter and the id of the effect
   * that moved it change in one single-document update, so a retried effect counts
   * once; participants are keyed by campaign and citizen.
   */
  async onCaseEvent(caseDoc: CaseDoc, event: CaseEvent, effect: CaseEffect): Promise<void> {
    const campaignId = (event.dims as { campaignId?: string | null } | null)?.campaignId;
    if (!campaignId) return;
    const earlier = caseDoc.events.filter((e) => e.seq < event.seq);
    const inc: Record<string, number> = {};
    if (event.action === 'submit') {
      inc.received = 1;
      if (event.actorRole === 'reporter' && event.actorId) await this.addParticipant(campaignId, event.actorId, event.at);
    } else if (event.action === 'support') {
      const backer = (event.data as { citizenId?: string } | null)?.citizenId;
      if (backer) await this.addParticipant(campaignId, backer, event.at);
    } else if (event.action === 'file' && !earlier.some((e) => e.action === 'file')) {
      inc.filed = 1;
    } else if (event.to === 'closed' && event.from !== 'closed' && !earlier.some((e) => e.to === 'closed')) {
      inc.closed = 1;
      // Handling feedback time against the deadline (按期); a case without a deadline has none to miss.
      const handled = earlier.filter((e) => e.action === 'report_handled').at(-1)?.at ?? event.at;
      if (!caseDoc.deadline || handled <= caseDoc.deadline) inc.closedOnTime = 1;
    }
    if (Object.keys(inc).length) await this.countOnce(campaignId, shanghaiDay(event.at), effect.id, inc);
  }

  private async countOnce(campaignId: string, date: string, effectId: string, inc: Record<string, number>): Promise<void> {
    const _id = `${campaignId}:${date}`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.Day.updateOne(
          { _id, applied: { $ne: effectId } },
          { $inc: inc, $push: { applied: effectId }, $setOnInsert: { campaignId, date } },
          { upsert: true },
        );
        return;
      } catch (err) {
        // The day exists and already holds this effect (the upsert then collides), or a
        // concurrent first write created the day: look, and try again if not counted yet.
        if (!isDuplicateKeyError(err) || attempt >= 3) throw err;
        if (await this.Day.exists({ _id, applied: effectId })) return;
      }
    }
  }

  private async addParticipant(campaignId: string, citizenId: string, at: Date): Promise<void> {
    const citizen = Types.ObjectId.isValid(citizenId)
      ? await getCitizenModel(this.ctx.db).findById(citizenId).select({ createdAt: 1 }).lean<{ createdAt?: Date }>()
      : null;
    await this.Participant.updateOne(
      { _id: `${campaignId}:${citizenId}` },
      { $setOnInsert: { campaignId, citizenId, citizenCreatedAt: citizen?.createdAt ?? null, firstAt: at } },
      { upsert: true },
    ).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err; // the same participant recorded concurrently
    });
  }

  private async totals(campaignId: string) {
    const days = await this.Day.find({ campaignId }).select({ applied: 0 }).sort({ date: 1 }).lean();
    const sum = { received: 0, filed: 0, closed: 0, closedOnTime: 0 };
    for (const d of days) {
      sum.received += d.received ?? 0;
      sum.filed += d.filed ?? 0;
      sum.closed += d.closed ?? 0;
      sum.closedOnTime += d.closedOnTime ?? 0;
    }
    return { ...sum, days };
  }

  async results(id: string): Promise<CampaignResults> {
    const doc = await this.requireCampaign(id);
    const campaignId = String(doc._id);
    const { days, ...sum } = await this.totals(campaignId);
    const now = this.now();

    // Every day of the window so far, and any later day something happened (closures after the end).
    const byDate = new Map<string, CampaignDayResult>();
    const until = new Date(Math.min(now.getTime(), campaignEffectiveEnd(doc).getTime()));
    if (doc.published) {
      const last = shanghaiDay(until);
      for (let date = shanghaiDay(doc.startAt); date <= last; date = addDays(date, 1)) {
        byDate.set(date, { date, received: 0, filed: 0, closed: 0 });
      }
    }
    for (const d of days) byDate.set(d.date, { date: d.date, received: d.received ?? 0, filed: d.filed ?? 0, closed: d.closed ?? 0 });

    return {
      campaignId,
      status: this.statusOf(doc, now),
      participants: await this.Participant.countDocuments({ campaignId }),
      newCitizens: await this.Participant.countDocuments({
        campaignId,
        citizenCreatedAt: { $gte: doc.startAt, $lt: campaignEffectiveEnd(doc) },
      }),
      reportsReceived: sum.received,
      filed: sum.filed,
      closed: sum.closed,
      onTimeRate: sum.closed ? sum.closedOnTime / sum.closed : null,
      pointsAwarded: await this.points.netPointsOfCampaign(campaignId),
      perDay: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1)),
    };
  }

  /** The results as a spreadsheet: UTF-8 with BOM (Excel), one row per day and a totals row. */
  async resultsCsv(id: string): Promise<string> {
    const r = await this.results(id);
    return toCsv(
      ['日期', '收到上报', '立案', '结案'],
      [...r.perDay.map((d) => [d.date, d.received, d.filed, d.closed]), ['合计', r.reportsReceived, r.filed, r.closed]],
    );
  }

  // ------------------------------------------------------------ reminders

  async subscriptions(citizenId: string): Promise<CampaignSubscriptions> {
    const subs = await this.Subscription.find({ citizenId }).sort({ districtId: 1 }).lean();
    return { districtIds: subs.map((s) => s.districtId) };
  }

  async subscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    if (!(await this.areaIndex()).districtIds.has(districtId)) {
      throw validationFailed([{ field: 'districtId', issue: `区县 ${districtId} 不存在` }]);
    }
    await this.Subscription.updateOne(
      { _id: `${citizenId}:${districtId}` },
      { $setOnInsert: { citizenId, districtId, createdAt: this.now() } },
      { upsert: true },
    ).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
    return this.subscriptions(citizenId);
  }

  async unsubscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    await this.Subscription.deleteOne({ _id: `${citizenId}:${districtId}` });
    return this.subscriptions(citizenId);
  }

  /**
   * Queues a WeChat reminder to every citizen subscribed to a targeted district of each
   * campaign that is live and not yet announced. Called by the background worker every
   * few seconds; one message per campaign and citizen (the outbox key), however often
   * it runs or wherever it stopped. Returns how many citizens were reminded in this pass.
   */
  async notifyLiveCampaigns(): Promise<number> {
    const now = this.now();
    const due = await this.Campaign.find({
      published: true,
      endedAt: null,
      liveNotifiedAt: null,
      startAt: { $lte: now },
      endAt: { $gt: now },
    })
      .select(LIST_PROJECTION)
      .lean<CampaignDoc[]>();
    let reminded = 0;
    for (const doc of due) {
      reminded += await this.remind(doc);
      await this.Campaign.updateOne({ _id: doc._id, liveNotifiedAt: null }, { $set: { liveNotifiedAt: now } });
    }
    return reminded;
  }

  private async remind(doc: CampaignDoc): Promise<number> {
    const campaignId = String(doc._id);
    let filter = {};
    if (doc.targetAreaIds.length) {
      const areas = await this.areaIndex();
      const districts = [...new Set(doc.targetAreaIds.flatMap((id) => areas.byId.get(id)?.districtId ?? []))];
      filter = { districtId: { $in: districts } };
    }
    const data = {
      thing1: { value: thing(doc.title, '城市管理活动') },
      time2: { value: shanghaiMinute(doc.startAt) },
      time3: { value: shanghaiMinute(doc.endAt) },
      thing4: { value: thing(doc.summary, '点击查看活动详情') },
    };
    const seen = new Set<string>();
    for await (const sub of this.Subscription.find(filter).select({ citizenId: 1 }).sort({ citizenId: 1 }).lean().cursor()) {
      if (seen.has(sub.citizenId)) continue;
      seen.add(sub.citizenId);
      const page = pageRoute('campaign', { id: campaignId });
      await this.notifications.tell({
        key: `campaign:${campaignId}:${sub.citizenId}`,
        citizenId: sub.citizenId,
        kind: 'campaign',
        title: `活动开始：${doc.title}`,
        body: doc.summary ?? '',
        page,
        at: doc.startAt,
      });
      await this.notifications.enqueue(`campaign:${campaignId}:${sub.citizenId}`, { citizenId: sub.citizenId, template: 'campaign', page, data });
    }
    return seen.size;
  }
}
