import {
  CAMPAIGN_RECENTLY_ENDED_DAYS,
  CAMPAIGN_STATUS_NAMES_ZH,
  campaignEffectiveEnd,
  type AdminCampaign,
  type AdminCampaignList,
  type CampaignChange,
  type CampaignList,
  type CampaignStatus,
  type CampaignSummary,
  type PublicCampaign,
} from '@ssp/shared';
import { notFound } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { CampaignDoc } from './models';
import { LIST_PROJECTION, type CampaignStore } from './store';

const DAY_MS = 86_400_000;

/** Campaigns as citizens see them (list, detail with progress) and as staff list and read them. */
export class CampaignViews {
  constructor(
    private readonly store: CampaignStore,
    private readonly catalogue: CatalogueService,
    private readonly media: MediaService,
  ) {}

  /** Live first (ending soonest first), then upcoming, then those ended in the last 30 days. */
  async publicList(): Promise<CampaignList> {
    const now = this.store.now();
    const cutoff = new Date(now.getTime() - CAMPAIGN_RECENTLY_ENDED_DAYS * DAY_MS);
    const docs = await this.store.Campaign.find({
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
      .map((doc) => ({ doc, status: this.store.statusOf(doc, now) }))
      .sort((a, b) => rank[a.status] - rank[b.status] || sortKey(a.doc, a.status) - sortKey(b.doc, b.status));
    return { items: items.map(({ doc, status }) => this.toSummary(doc, status)) };
  }

  /** A published campaign as citizens see it; drafts are 404. */
  async publicDetail(id: string): Promise<PublicCampaign> {
    const doc = await this.store.requireCampaign(id);
    if (!doc.published) throw notFound('活动不存在');
    return this.toPublic(doc);
  }

  async list(): Promise<AdminCampaignList> {
    const docs = await this.store.Campaign.find().select(LIST_PROJECTION).sort({ createdAt: -1 }).limit(500).lean<CampaignDoc[]>();
    const now = this.store.now();
    return {
      items: docs.map((doc) => ({
        id: String(doc._id),
        version: doc.version,
        status: this.store.statusOf(doc, now),
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
    return this.toAdmin(await this.store.requireCampaign(id));
  }

  /** Exactly what citizens will see, drafts included. */
  async preview(id: string): Promise<PublicCampaign> {
    return this.toPublic(await this.store.requireCampaign(id));
  }

  cover(doc: CampaignDoc) {
    return doc.coverPhotoId ? this.media.photoUrls(doc.coverPhotoId) : null;
  }

  toSummary(doc: CampaignDoc, status: CampaignStatus): CampaignSummary {
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

  async toPublic(doc: CampaignDoc): Promise<PublicCampaign> {
    const campaignId = String(doc._id);
    const categories = new Map((await this.catalogue.allCategories()).map((c) => [c.id, c.name]));
    const areas = await this.store.areaIndex();
    const totals = await this.store.totals(campaignId);
    return {
      ...this.toSummary(doc, this.store.statusOf(doc)),
      body: doc.body,
      targetCategories: doc.targetCategoryIds.map((id) => ({ id, name: categories.get(id) ?? id })),
      targetAreas: doc.targetAreaIds.map((id) => ({ id, name: areas.byId.get(id)?.name ?? id })),
      progress: {
        reportsReceived: totals.received,
        fixed: totals.closed,
        participants: await this.store.Participant.countDocuments({ campaignId }),
        goal: doc.participationGoal,
      },
    };
  }

  toAdmin(doc: CampaignDoc): AdminCampaign {
    return {
      id: String(doc._id),
      version: doc.version,
      status: this.store.statusOf(doc),
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
}
