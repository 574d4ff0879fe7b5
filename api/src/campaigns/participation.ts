import { addDays, campaignEffectiveEnd, shanghaiDay, type CampaignDayResult, type CampaignResults } from '@ssp/shared';
import { toCsv } from '../core/csv';
import type { CaseEffect } from '../cases/models';
import { historyBefore, type CaseEventMessage, type CaseView } from '../cases/events';
import type { CampaignStore } from './store';
import { isDuplicateKeyError } from '../db';

/**
 * Participation: the case-event subscriber that counts reports received, filed and
 * closed per campaign and day and records participants, and the results staff read
 * (figures, per day, CSV).
 */
export class CampaignParticipation {
  constructor(
    private readonly store: CampaignStore,
    /** When a participant became a citizen (new citizens a campaign brought), from the auth domain. */
    private readonly citizens: { getCitizen(id: string): Promise<{ createdAt: Date } | null> },
    /** Asked of the points domain, which owns the ledger. */
    private readonly points: { netPointsOfCampaign(campaignId: string): Promise<number> },
  ) {}

  /**
   * Case-event subscriber: counts reports received, filed and closed per campaign and
   * Beijing day, and records participants. The day counter and the id of the effect
   * that moved it change in one single-document update, so a retried effect counts
   * once; participants are keyed by campaign and citizen.
   */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    const campaignId = event.dims.campaignId;
    if (!campaignId) return;
    const earlier = historyBefore(view, event);
    const inc: Record<string, number> = {};
    if (event.action === 'submit') {
      inc.received = 1;
      if (event.actorRole === 'reporter' && event.actorId) await this.addParticipant(campaignId, event.actorId, event.at);
    } else if (event.action === 'support') {
      await this.addParticipant(campaignId, event.data.citizenId, event.at);
    } else if (event.action === 'file' && !earlier.some((e) => e.action === 'file')) {
      inc.filed = 1;
    } else if (event.to === 'closed' && event.from !== 'closed' && !earlier.some((e) => e.to === 'closed')) {
      inc.closed = 1;
      // Handling feedback time against the deadline (按期); a case without a deadline has none to miss.
      const handled = earlier.filter((e) => e.action === 'report_handled').at(-1)?.at ?? event.at;
      if (!view.deadline || handled <= view.deadline) inc.closedOnTime = 1;
    }
    if (Object.keys(inc).length) await this.countOnce(campaignId, shanghaiDay(event.at), effect.id, inc);
  }

  private async countOnce(campaignId: string, date: string, effectId: string, inc: Record<string, number>): Promise<void> {
    const _id = `${campaignId}:${date}`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.store.Day.updateOne(
          { _id, applied: { $ne: effectId } },
          { $inc: inc, $push: { applied: effectId }, $setOnInsert: { campaignId, date } },
          { upsert: true },
        );
        return;
      } catch (err) {
        // The day exists and already holds this effect (the upsert then collides), or a
        // concurrent first write created the day: look, and try again if not counted yet.
        if (!isDuplicateKeyError(err) || attempt >= 3) throw err;
        if (await this.store.Day.exists({ _id, applied: effectId })) return;
      }
    }
  }

  private async addParticipant(campaignId: string, citizenId: string, at: Date): Promise<void> {
    const citizen = await this.citizens.getCitizen(citizenId);
    await this.store.Participant.updateOne(
      { _id: `${campaignId}:${citizenId}` },
      { $setOnInsert: { campaignId, citizenId, citizenCreatedAt: citizen?.createdAt ?? null, firstAt: at } },
      { upsert: true },
    ).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err; // the same participant recorded concurrently
    });
  }

  async results(id: string): Promise<CampaignResults> {
    const doc = await this.store.requireCampaign(id);
    const campaignId = String(doc._id);
    const { days, ...sum } = await this.store.totals(campaignId);
    const now = this.store.now();

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
      status: this.store.statusOf(doc, now),
      participants: await this.store.Participant.countDocuments({ campaignId }),
      newCitizens: await this.store.Participant.countDocuments({
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
}
