import { CAMPAIGN_MAX_DAYS, type AdminCampaign, type CreateCampaign, type ErrorDetail, type UpdateCampaign } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, validationFailed } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { ContentSecurity } from '../moderation/service';
import type { CampaignChangeDoc, CampaignDoc, StaffRef } from './models';
import { bodyText, inspectBody, sanitizeBody } from './sanitize';
import type { CampaignStore } from './store';
import type { CampaignViews } from './views';

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

/**
 * The publicity staff's editor and lifecycle: create, edit (some fields locked while
 * live), publish, take back, end. Every change is one version-guarded update with its
 * change-log entry; what citizens will read passes WeChat's content checks first.
 */
export class CampaignEditor {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: CampaignStore,
    private readonly views: CampaignViews,
    private readonly catalogue: CatalogueService,
    private readonly media: MediaService,
    private readonly contentSecurity: Pick<ContentSecurity, 'checkStaffTexts' | 'checkStaffPhoto'>,
    /** Staff names for the change log, from the auth domain. */
    private readonly staff: { staffDisplayName(staffId: string): Promise<string | null> },
  ) {}

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
    const now = this.store.now();
    const by = await this.staffRef(staffId);
    const created = await this.store.Campaign.create({
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
    this.store.invalidate();
    return this.views.toAdmin(created.toObject() as CampaignDoc);
  }

  async update(staffId: string, id: string, input: UpdateCampaign): Promise<AdminCampaign> {
    const doc = await this.store.requireCampaign(id);
    const status = this.store.statusOf(doc);
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
    if (changed.size === 0) return this.views.toAdmin(doc);
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
    const doc = await this.store.requireCampaign(id);
    const status = this.store.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED');
    if (status !== 'draft') throw conflict('CAMPAIGN_ALREADY_PUBLISHED');
    this.checkVersion(doc, version);
    if (doc.endAt <= this.store.now()) throw validationFailed([{ field: 'endAt', issue: '结束时间已过，请先修改活动时间再发布' }]);
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
    const doc = await this.store.requireCampaign(id);
    const status = this.store.statusOf(doc);
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
    const doc = await this.store.requireCampaign(id);
    const status = this.store.statusOf(doc);
    if (status === 'ended') throw conflict('CAMPAIGN_ENDED', '活动已结束');
    if (status === 'draft') throw conflict('CAMPAIGN_NOT_PUBLISHED');
    this.checkVersion(doc, version);
    const now = this.store.now();
    return this.apply(
      doc,
      { endedAt: now },
      { action: 'end', fields: ['endedAt'], diff: [{ field: 'endedAt', before: null, after: now.toISOString() }], reason },
      staffId,
    );
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
    const now = this.store.now();
    const entry: CampaignChangeDoc = { at: now, by: await this.staffRef(staffId), ...change };
    const updated = await this.store.Campaign.findOneAndUpdate(
      { _id: doc._id, version: doc.version },
      { $set: { ...set, updatedAt: now }, $inc: { version: 1 }, $push: { changes: entry } },
      { returnDocument: 'after' },
    ).lean<CampaignDoc>();
    if (!updated) throw conflict('CONFLICT', '活动已被他人修改，请刷新后重试');
    this.store.invalidate();
    return this.views.toAdmin(updated);
  }

  private async staffRef(staffId: string): Promise<StaffRef> {
    return { id: staffId, name: (await this.staff.staffDisplayName(staffId)) ?? staffId };
  }

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

  /**
   * Checks the fields that changed (all of them on create) against the catalogue,
   * the config and the clock; returns them with the body sanitised. Field-level
   * problems are one 400 VALIDATION_FAILED listing each field.
   */
  private async checkFields(fields: Fields, changed: ReadonlySet<EditableField>, staffId: string, published = false): Promise<Fields> {
    const { multiplierMin, multiplierMax, bodyMaxChars } = this.ctx.config.campaigns;
    const details: ErrorDetail[] = [];
    const now = this.store.now();

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
      const areas = await this.store.areaIndex();
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
}
