import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { campaignStatusAt, type AreaTree, type CampaignStatus } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { notFound } from '../core/errors';
import type { CatalogueService } from '../catalogue/service';
import { campaignDayModel, campaignModel, campaignParticipantModel, campaignSubscriptionModel, type CampaignDoc } from './models';

/** The list projection: everything but the rich-text body and the change log. */
export const LIST_PROJECTION = { body: 0, changes: 0 } as const;

export interface AreaIndex {
  byId: Map<string, { name: string; districtId: string }>;
  districtIds: Set<string>;
}

/** Published campaigns as the matcher keeps them, with their targets as sets. */
export interface LiveEntry {
  doc: CampaignDoc;
  categories: Set<string>;
  areas: Set<string>;
}

/**
 * What every part of the campaigns domain reads: its collections, the clock and status,
 * a campaign by id, the area index, the cached list of published campaigns (cleared by
 * the editor on every change) and the counted totals.
 */
export class CampaignStore {
  /** How long the in-memory list of published campaigns is trusted; changes through this process clear it at once. */
  cacheTtlMs = 5000;
  private cache?: { loadedAt: number; entries: LiveEntry[] };
  private cacheGeneration = 0;
  private readonly areaIndexes = new WeakMap<AreaTree, AreaIndex>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly catalogue: CatalogueService,
  ) {}

  get Campaign() {
    return campaignModel(this.ctx.db);
  }

  get Day() {
    return campaignDayModel(this.ctx.db);
  }

  get Participant() {
    return campaignParticipantModel(this.ctx.db);
  }

  get Subscription() {
    return campaignSubscriptionModel(this.ctx.db);
  }

  now(): Date {
    return this.ctx.clock.now();
  }

  statusOf(doc: CampaignDoc, at = this.now()): CampaignStatus {
    return campaignStatusAt(doc, at);
  }

  async requireCampaign(id: string): Promise<CampaignDoc> {
    const doc = Types.ObjectId.isValid(id) ? await this.Campaign.findById(id).lean<CampaignDoc>() : null;
    if (!doc) throw notFound('活动不存在');
    return doc;
  }

  /** Area ids (district, street, grid) with names and their district, per area-tree revision. */
  async areaIndex(): Promise<AreaIndex> {
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

  /** Published campaigns that have not ended, cached for `cacheTtlMs`. */
  async published(): Promise<LiveEntry[]> {
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

  invalidate(): void {
    this.cacheGeneration += 1;
    this.cache = undefined;
  }

  /** The day counters of a campaign (oldest first) and their sums. */
  async totals(campaignId: string) {
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
}
