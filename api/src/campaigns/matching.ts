import { Types } from 'mongoose';
import type { CampaignDoc } from './models';
import type { CampaignStore } from './store';

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

/** Which live campaign a report counts for (reports), and a campaign's multiplier (points). */
export class CampaignMatching {
  constructor(private readonly store: CampaignStore) {}

  /**
   * The live campaign a report counts for: its categories (or all) and areas (or the
   * whole city) include the report, and it is live at `at`. Several: the highest
   * multiplier wins, then the earliest start.
   */
  async matchFor(report: ReportPlace): Promise<CampaignMatch | null> {
    let best: CampaignDoc | null = null;
    for (const { doc, categories, areas } of await this.store.published()) {
      if (this.store.statusOf(doc, report.at) !== 'live') continue;
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
    const doc = await this.store.Campaign.findById(campaignId)
      .select({ multiplier: 1, published: 1 })
      .lean<Pick<CampaignDoc, 'multiplier' | 'published'>>();
    return doc?.published ? doc.multiplier : null;
  }
}
