import { Types } from 'mongoose';
import { DEFAULT_NICKNAME, type Leaderboard } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { getLeaderboardModel, getPointsAccountModel } from './models';
import { isDuplicateKeyError } from '../db';

/** Counter key: period ('all' or YYYY-MM) and district ('*' = every district). */
export const ALL_DISTRICTS = '*';
export const boardKey = (period: string, districtId: string) => `${period}|${districtId}`;

/** Nicknames of citizens, from the auth domain which owns them. */
export interface Nicknames {
  citizenContacts(ids: readonly string[]): Promise<Map<string, { nickname: string }>>;
}

/**
 * Rankings by points earned (spending never lowers a rank). The points account holds the
 * authoritative earned counters, changed in the same update as the balance; the counters
 * here are copies stamped with the account's apply version, so copying is idempotent and a
 * late copy never overwrites a newer one.
 */
export class LeaderboardStore {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly citizens: Nicknames,
  ) {}

  private get Board() {
    return getLeaderboardModel(this.ctx.db);
  }

  /** Copies the citizen's earned counters (as of apply version `v`) for the given keys. */
  async sync(citizenId: string, values: Map<string, number>, v: number): Promise<void> {
    await Promise.all(
      [...values].map(async ([key, earned]) => {
        const [period, districtId] = key.split('|') as [string, string];
        try {
          await this.Board.updateOne(
            { _id: `${key}|${citizenId}`, v: { $lt: v } },
            { $set: { period, districtId, citizenId, earned, v } },
            { upsert: true },
          );
        } catch (err) {
          // The counter already holds this version or a newer one.
          if (!isDuplicateKeyError(err)) throw err;
        }
      }),
    );
  }

  async top(
    q: { period: 'month' | 'all'; month: string | null; districtId: string | null; limit: number },
    viewerId: string | null,
  ): Promise<Leaderboard> {
    const period = q.period === 'all' ? 'all' : q.month!;
    const districtId = q.districtId ?? ALL_DISTRICTS;
    const docs = await this.Board.find({ period, districtId, earned: { $gt: 0 } })
      .sort({ earned: -1, _id: 1 })
      .limit(q.limit)
      .lean();
    const mine = viewerId ? await this.Board.findById(`${boardKey(period, districtId)}|${viewerId}`).lean() : null;

    const ids = [...new Set([...docs.map((d) => d.citizenId), ...(viewerId ? [viewerId] : [])])].filter((id) => Types.ObjectId.isValid(id));
    const [contacts, anonymous] = await Promise.all([
      this.citizens.citizenContacts(ids),
      getPointsAccountModel(this.ctx.db)
        .find({ _id: { $in: ids }, leaderboardAnonymous: true })
        .select({ _id: 1 })
        .lean()
        .then((docs) => new Set(docs.map((d) => d._id))),
    ]);
    const nameOf = (id: string) => (anonymous.has(id) ? DEFAULT_NICKNAME : (contacts.get(id)?.nickname ?? DEFAULT_NICKNAME));

    // Competition ranking: equal points share a rank (1, 1, 3).
    let rank = 0;
    const items = docs.map((d, i) => {
      if (i === 0 || d.earned !== docs[i - 1]!.earned) rank = i + 1;
      return { rank, displayName: nameOf(d.citizenId), earned: d.earned, isMe: d.citizenId === viewerId };
    });

    let me: Leaderboard['me'] = null;
    if (viewerId) {
      const earned = mine?.earned ?? 0;
      const myRank = earned > 0 ? 1 + (await this.Board.countDocuments({ period, districtId, earned: { $gt: earned } })) : null;
      me = { rank: myRank, earned, displayName: nameOf(viewerId) };
    }
    return { period: q.period, month: q.period === 'month' ? q.month : null, districtId: q.districtId, items, me };
  }
}
