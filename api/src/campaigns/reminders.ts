import { pageRoute, shanghaiMinute, type CampaignSubscriptions } from '@ssp/shared';
import { validationFailed } from '../core/errors';
import type { NotificationService } from '../notifications/service';
import type { CampaignDoc } from './models';
import { LIST_PROJECTION, type CampaignStore } from './store';
import { isDuplicateKeyError } from '../db';

/** WeChat `thing` fields take at most 20 characters. */
function thing(text: string, fallback: string): string {
  const chars = Array.from(text.trim() || fallback);
  return chars.length <= 20 ? chars.join('') : `${chars.slice(0, 19).join('')}…`;
}

/** Citizens' subscriptions to campaigns in their districts, and the go-live reminders sent to them. */
export class CampaignReminders {
  constructor(
    private readonly store: CampaignStore,
    private readonly notifications: NotificationService,
  ) {}

  async subscriptions(citizenId: string): Promise<CampaignSubscriptions> {
    const subs = await this.store.Subscription.find({ citizenId }).sort({ districtId: 1 }).lean();
    return { districtIds: subs.map((s) => s.districtId) };
  }

  async subscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    if (!(await this.store.areaIndex()).districtIds.has(districtId)) {
      throw validationFailed([{ field: 'districtId', issue: `区县 ${districtId} 不存在` }]);
    }
    await this.store.Subscription.updateOne(
      { _id: `${citizenId}:${districtId}` },
      { $setOnInsert: { citizenId, districtId, createdAt: this.store.now() } },
      { upsert: true },
    ).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
    return this.subscriptions(citizenId);
  }

  async unsubscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    await this.store.Subscription.deleteOne({ _id: `${citizenId}:${districtId}` });
    return this.subscriptions(citizenId);
  }

  /**
   * Queues a WeChat reminder to every citizen subscribed to a targeted district of each
   * campaign that is live and not yet announced. Called by the background worker every
   * few seconds; one message per campaign and citizen (the outbox key), however often
   * it runs or wherever it stopped. Returns how many citizens were reminded in this pass.
   */
  async notifyLiveCampaigns(): Promise<number> {
    const now = this.store.now();
    const due = await this.store.Campaign.find({
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
      await this.store.Campaign.updateOne({ _id: doc._id, liveNotifiedAt: null }, { $set: { liveNotifiedAt: now } });
    }
    return reminded;
  }

  private async remind(doc: CampaignDoc): Promise<number> {
    const campaignId = String(doc._id);
    let filter = {};
    if (doc.targetAreaIds.length) {
      const areas = await this.store.areaIndex();
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
    for await (const sub of this.store.Subscription.find(filter).select({ citizenId: 1 }).sort({ citizenId: 1 }).lean().cursor()) {
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
