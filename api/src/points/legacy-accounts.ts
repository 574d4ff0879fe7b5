import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { getPointsAccountModel, getPointsMetaModel } from './models';

const MOVED_MARKER = 'accounts-moved';
import { isDuplicateKeyError } from '../db';

/**
 * One-time upgrade. Balances used to live on the citizen document (`points`,
 * `pointsBook`, `leaderboardAnonymous` in `citizens`); they now live in the points
 * domain's own `points_accounts`. This moves each citizen's legacy fields to an account
 * and removes them from the citizen — the only time the points domain touches
 * `citizens`. Idempotent; main.ts runs it before the API serves or its workers run, so
 * no ledger entry opens an empty account for a citizen whose balance is still legacy.
 * Deploy it to every API process at once (an older process would keep writing the old fields).
 */
export async function moveLegacyPointsToAccounts(db: Connection, now: Date, logger: Logger): Promise<number> {
  // Done once per database: later starts do not scan the citizens again.
  const Meta = getPointsMetaModel(db);
  if (await Meta.exists({ _id: MOVED_MARKER })) return 0;
  const citizens = db.collection('citizens');
  const Account = getPointsAccountModel(db);
  const legacy = citizens.find(
    { $or: [{ points: { $exists: true } }, { pointsBook: { $exists: true } }, { leaderboardAnonymous: { $exists: true } }] },
    { projection: { points: 1, pointsBook: 1, leaderboardAnonymous: 1 } },
  );
  let moved = 0;
  let leftBehind = 0;
  for await (const c of legacy) {
    const id = String(c._id);
    const book = (c.pointsBook ?? {}) as Record<string, unknown>;
    try {
      await Account.collection.insertOne({
        _id: id as never,
        points: typeof c.points === 'number' ? c.points : 0,
        book: { ...book, v: typeof book.v === 'number' ? book.v : 0 },
        leaderboardAnonymous: c.leaderboardAnonymous === true,
        createdAt: now,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // An account exists already (moved before a crash, or opened by a newer process):
      // keep the legacy fields for an operator unless they are the empty defaults.
      if ((c.points ?? 0) !== 0 || c.pointsBook) {
        logger.error({ citizenId: id }, 'legacy points left on the citizen: an account already exists; check with points invariants');
        leftBehind += 1;
        continue;
      }
    }
    await citizens.updateOne({ _id: c._id }, { $unset: { points: '', pointsBook: '', leaderboardAnonymous: '' } });
    moved += 1;
  }
  if (moved) logger.info({ moved }, 'points moved from citizens to points_accounts');
  // Only when nothing was left behind for an operator: otherwise the next start looks again.
  if (!leftBehind) await Meta.updateOne({ _id: MOVED_MARKER }, { $setOnInsert: { at: now } }, { upsert: true });
  return moved;
}
