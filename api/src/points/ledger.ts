import { Types } from 'mongoose';
import { addDays, addMonths, shanghaiDay, shanghaiMonth, type LedgerKind, type LedgerReason, type PointsRules } from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { Keyset } from '../core/pagination';
import { ALL_DISTRICTS, boardKey, type LeaderboardStore } from './leaderboard';
import { getLedgerModel, getPointsAccountModel, type EarnedDelta, type LedgerEntry, type PointsAccount, type PointsBook } from './models';
import { reasonText } from './rules';
import { isDuplicateKeyError } from '../db';

/**
 * The points ledger and the balance on the citizen's points account (`points_accounts`),
 * kept consistent without transactions.
 *
 * 1. The entry is inserted `pending` under a unique business key: processing the same
 *    award twice finds the first entry instead of adding a second.
 * 2. The decision (amount after caps, zero floor or refusal) is made from a snapshot of
 *    the account and written to it in ONE compare-and-set update on the account's
 *    apply version `book.v`: balance, earned and cap counters change together with a
 *    record of the decision pushed to `book.inflight`. Any concurrent change to the
 *    account makes the update miss and the decision is redone
 *    from a fresh snapshot, so caps and the zero floor hold under concurrency.
 * 3. The entry is flipped to `applied`/`declined` with the recorded decision, the
 *    leaderboard counters are copied, and only then the record leaves `inflight`.
 *
 * A crash after 1 leaves a pending entry that `settle` applies later (the case-effect
 * relay retries it, or `repair`). A crash after 2 leaves the decision in `inflight`: a
 * later `settle` finds it there and finishes 3 instead of applying again. Because the
 * account is read before the entry, and the record leaves `inflight` only after the
 * entry was flipped, a reader that sees neither the record nor a flipped entry knows the
 * entry was never applied — and the version check catches one applied in between.
 */

/** An award, spend or correction to record once. */
export interface LedgerDraft {
  citizenId: string;
  kind: LedgerKind;
  /** Signed: positive for earn/refund, negative for spend/clawback, either for adjustments. */
  requested: number;
  reason: LedgerReason;
  reasonParams?: Record<string, string | number | null>;
  businessKey: string;
  at: Date;
  caseId?: string | null;
  claimId?: string | null;
  campaignId?: string | null;
  multiplier?: number | null;
  districtId?: string | null;
  actorId?: string | null;
  /** Clawbacks: the earned counters to take the case's awards off. */
  earnedDelta?: EarnedDelta[];
}

/** What the account update decided for one entry, kept in `book.inflight` until the entry shows it. */
interface Decision {
  entryId: string;
  seq: number;
  declined: boolean;
  amount: number;
  capped: number;
  shortfall: number;
  cappedBy: 'day' | 'month' | null;
  balanceAfter: number;
}

/** What `commit` found or did; `recorded` is the decision on the account (absent if none could be made). */
export interface Committed {
  entry: LedgerEntry;
  recorded?: { decision: Decision; book: PointsBook; raw: string };
}

export interface PointsMismatch {
  citizenId: string;
  issue: 'balance' | 'negative_balance' | 'earned' | 'unknown_citizen';
  actual: number;
  expected: number;
}

/** Days and months of cap counters kept on the account (older ones are dropped as new awards come). */
const CAP_DAYS_KEPT = 40;
const CAP_MONTHS_KEPT = 13;
const CAS_ATTEMPTS = 25;
/** Longest pause between two compare-and-set attempts (the pause doubles from 2 ms, at random below it). */
const CAS_MAX_PAUSE_MS = 250;

const encode = (d: Decision) =>
  JSON.stringify({
    entryId: d.entryId,
    seq: d.seq,
    declined: d.declined,
    amount: d.amount,
    capped: d.capped,
    shortfall: d.shortfall,
    cappedBy: d.cappedBy,
    balanceAfter: d.balanceAfter,
  });
const decode = (s: string) => JSON.parse(s) as Decision;

/** The earned-counter changes an entry makes when it applies `amount`. */
function earnedChanges(entry: LedgerEntry, amount: number): Map<string, number> {
  const deltas: EarnedDelta[] =
    entry.kind === 'earn'
      ? [{ month: entry.month, districtId: entry.districtId, n: amount }]
      : entry.kind === 'clawback'
        ? (entry.earnedDelta ?? [])
        : [];
  const out = new Map<string, number>();
  const add = (key: string, n: number) => out.set(key, (out.get(key) ?? 0) + n);
  for (const d of deltas) {
    if (!d.n) continue;
    add(boardKey(d.month, ALL_DISTRICTS), d.n);
    add(boardKey('all', ALL_DISTRICTS), d.n);
    if (d.districtId) {
      add(boardKey(d.month, d.districtId), d.n);
      add(boardKey('all', d.districtId), d.n);
    }
  }
  return out;
}

/** What the ledger asks of the auth domain, which owns citizens. */
export interface CitizenDirectory {
  citizenExists(citizenId: string): Promise<boolean>;
}

export class PointsLedger {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly rules: () => PointsRules | null,
    private readonly board: LeaderboardStore,
    private readonly citizens: CitizenDirectory,
  ) {}

  private get Ledger() {
    return getLedgerModel(this.ctx.db);
  }

  private get Account() {
    return getPointsAccountModel(this.ctx.db);
  }

  /** A citizen's account, if one was opened. */
  async account(citizenId: string): Promise<PointsAccount | null> {
    return this.Account.findById(citizenId).lean<PointsAccount>();
  }

  /** Opens the citizen's account (once; concurrent openings meet on the _id). */
  async openAccount(citizenId: string): Promise<void> {
    const fresh = { points: 0, book: { v: 0 }, leaderboardAnonymous: false, createdAt: this.ctx.clock.now() };
    try {
      await this.Account.updateOne({ _id: citizenId }, { $setOnInsert: fresh }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  /** The last queued commit per citizen (see `oneAtATime`). */
  private readonly citizenQueues = new Map<string, Promise<void>>();

  private indexes?: Promise<void>;
  /** The unique business key is what makes awards idempotent: it must exist before the first insert. */
  ensureIndexes(): Promise<void> {
    this.indexes ??= this.Ledger.createIndexes().then(
      () => undefined,
      (err: unknown) => {
        this.indexes = undefined;
        throw err;
      },
    );
    return this.indexes;
  }

  /** Records and applies an entry once per business key; returns it applied or declined. */
  async record(draft: LedgerDraft): Promise<LedgerEntry> {
    const entry = await this.insert(draft);
    return entry.state === 'pending' ? this.settle(entry._id) : entry;
  }

  async findByKey(businessKey: string): Promise<LedgerEntry | null> {
    return this.Ledger.findOne({ businessKey }).lean<LedgerEntry>();
  }

  /** A citizen's applied lines in apply order, newest first, before `beforeSeq`. */
  async applied(citizenId: string, order: Keyset<LedgerEntry>, cursor: string | undefined, limit: number): Promise<LedgerEntry[]> {
    return this.Ledger.find({ citizenId, state: 'applied', ...order.after(cursor) })
      .sort(order.sort)
      .limit(limit)
      .lean<LedgerEntry[]>();
  }

  /** Step 1 alone: inserts the entry pending, or returns the one already stored under its business key. */
  async insert(draft: LedgerDraft): Promise<LedgerEntry> {
    await this.ensureIndexes();
    const existing = await this.Ledger.findOne({ businessKey: draft.businessKey }).lean<LedgerEntry>();
    if (existing) return existing;
    const now = this.ctx.clock.now();
    const doc = {
      _id: new Types.ObjectId(),
      citizenId: draft.citizenId,
      kind: draft.kind,
      state: 'pending' as const,
      amount: 0,
      requested: draft.requested,
      capped: 0,
      shortfall: 0,
      earned: 0,
      earnedDelta: draft.earnedDelta ?? null,
      reason: draft.reason,
      reasonText: reasonText(draft.reason, draft.reasonParams ?? {}, { amount: draft.requested, capped: 0, shortfall: 0 }),
      reasonParams: draft.reasonParams ?? {},
      caseId: draft.caseId ?? null,
      claimId: draft.claimId ?? null,
      campaignId: draft.campaignId ?? null,
      multiplier: draft.multiplier ?? null,
      day: shanghaiDay(draft.at),
      month: shanghaiMonth(draft.at),
      districtId: draft.districtId ?? null,
      businessKey: draft.businessKey,
      actorId: draft.actorId ?? null,
      seq: null,
      balanceAfter: null,
      at: draft.at,
      createdAt: now,
      settledAt: null,
    };
    try {
      await this.Ledger.collection.insertOne(doc);
      return doc as LedgerEntry;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return (await this.Ledger.findOne({ businessKey: draft.businessKey }).lean<LedgerEntry>())!;
    }
  }

  /** Steps 2 and 3: applies a pending entry exactly once, or finishes one a crash interrupted. Safe to run concurrently. */
  async settle(entryId: Types.ObjectId | string): Promise<LedgerEntry> {
    const { entry, recorded } = await this.commit(entryId);
    if (entry.state !== 'pending') {
      if (recorded) await this.release(entry.citizenId, recorded.raw);
      return entry;
    }
    if (recorded) return this.finish(entry, recorded.decision, recorded.book, recorded.raw);
    return this.declineOrphan(entry);
  }

  /**
   * Step 2 alone: puts the entry's decision on the citizen (balance, counters and the
   * in-flight record, one compare-and-set update) unless that happened already. Returns
   * what it found or did; `recorded` is absent only for an entry of an unknown citizen.
   */
  async commit(entryId: Types.ObjectId | string): Promise<Committed> {
    const id = new Types.ObjectId(String(entryId));
    const owner = await this.Ledger.findById(id).select({ citizenId: 1 }).lean<{ citizenId: string }>();
    if (!owner) throw new Error(`ledger entry ${String(id)} not found`);
    return this.oneAtATime(owner.citizenId, () => this.commitFor(id, owner.citizenId));
  }

  /**
   * Runs `work` after every earlier one for the same citizen in this process has finished.
   * Only one compare-and-set on a citizen can win at a time anyway; queueing this process's
   * own writers keeps a crowd of them (100 awards and claims at once) from colliding until
   * they run out of attempts. Other processes' writers are still caught by the version check.
   */
  private oneAtATime<T>(citizenId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.citizenQueues.get(citizenId) ?? Promise.resolve()).then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.citizenQueues.set(citizenId, tail);
    void tail.then(() => {
      if (this.citizenQueues.get(citizenId) === tail) this.citizenQueues.delete(citizenId);
    });
    return run;
  }

  private async commitFor(id: Types.ObjectId, citizenId: string): Promise<Committed> {
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt += 1) {
      // The account first, then the entry: see the class comment.
      const account = await this.account(citizenId);
      const entry = (await this.Ledger.findById(id).lean<LedgerEntry>())!;
      const raw = (account?.book.inflight ?? []).find((s) => decode(s).entryId === String(id));
      if (raw) return { entry, recorded: { decision: decode(raw), book: account!.book, raw } };
      if (entry.state !== 'pending') return { entry };
      if (!account) {
        if (!(await this.citizens.citizenExists(citizenId))) return { entry };
        await this.openAccount(citizenId);
        continue;
      }

      const decision = this.decide(entry, account);
      const book = account.book;
      const update = this.decisionUpdate(entry, decision, book);
      const result = await this.Account.updateOne({ _id: citizenId, 'book.v': book.v }, update);
      if (result.modifiedCount === 1) {
        const after: PointsBook = { ...book, v: decision.seq, earned: { ...(book.earned ?? {}) } };
        if (!decision.declined) for (const [k, n] of earnedChanges(entry, decision.amount)) after.earned![k] = (after.earned![k] ?? 0) + n;
        return { entry, recorded: { decision, book: after, raw: encode(decision) } };
      }
      // Someone changed the account in between: decide again from a fresh snapshot, after a
      // random pause that grows with each miss. Without it a crowd of writers to one account
      // (100 adjustments, awards and claims at once) keeps colliding until some run out of
      // attempts and answer 500 for entries a later repair would still apply.
      if (attempt < CAS_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(CAS_MAX_PAUSE_MS, 2 ** attempt)));
    }
    throw new Error(`ledger entry ${String(id)}: the account kept changing; will retry`);
  }

  private decide(entry: LedgerEntry, account: PointsAccount): Decision {
    const book = account.book;
    const balance = account.points;
    const base = { entryId: String(entry._id), seq: book.v + 1, declined: false, capped: 0, shortfall: 0, cappedBy: null };
    switch (entry.kind) {
      case 'earn': {
        const rules = this.rules();
        const dayRoom = rules?.dailyCap == null ? Infinity : rules.dailyCap - (book.capDay?.[entry.day] ?? 0);
        const monthRoom = rules?.monthlyCap == null ? Infinity : rules.monthlyCap - (book.capMonth?.[entry.month] ?? 0);
        const amount = Math.max(0, Math.min(entry.requested, dayRoom, monthRoom));
        const capped = entry.requested - amount;
        return { ...base, amount, capped, cappedBy: capped ? (dayRoom <= monthRoom ? 'day' : 'month') : null, balanceAfter: balance + amount };
      }
      case 'clawback': {
        const want = -entry.requested;
        const take = Math.max(0, Math.min(want, balance));
        return { ...base, amount: -take, shortfall: want - take, balanceAfter: balance - take };
      }
      default: {
        // Spends and deductions are all or nothing: never below zero.
        if (entry.requested < 0 && balance + entry.requested < 0) return { ...base, declined: true, amount: 0, balanceAfter: balance };
        return { ...base, amount: entry.requested, balanceAfter: balance + entry.requested };
      }
    }
  }

  private decisionUpdate(entry: LedgerEntry, d: Decision, book: PointsBook) {
    const inc: Record<string, number> = { 'book.v': 1 };
    const unset: Record<string, ''> = {};
    if (!d.declined) {
      if (d.amount) inc.points = d.amount;
      for (const [key, n] of earnedChanges(entry, d.amount)) if (n) inc[`book.earned.${key}`] = n;
      if (entry.kind === 'earn' && d.amount > 0) {
        inc[`book.capDay.${entry.day}`] = d.amount;
        inc[`book.capMonth.${entry.month}`] = d.amount;
        const oldestDay = addDays(entry.day, -CAP_DAYS_KEPT);
        const oldestMonth = addMonths(entry.month, -CAP_MONTHS_KEPT);
        for (const day of Object.keys(book.capDay ?? {})) if (day < oldestDay) unset[`book.capDay.${day}`] = '';
        for (const month of Object.keys(book.capMonth ?? {})) if (month < oldestMonth) unset[`book.capMonth.${month}`] = '';
      }
    }
    return { $inc: inc, $push: { 'book.inflight': encode(d) }, ...(Object.keys(unset).length ? { $unset: unset } : {}) };
  }

  /** Step 3: the entry shows the decision, leaderboards copy the counters, the record leaves `inflight`. */
  private async finish(entry: LedgerEntry, d: Decision, book: PointsBook, raw: string): Promise<LedgerEntry> {
    const changes = d.declined ? new Map<string, number>() : earnedChanges(entry, d.amount);
    const earned = entry.kind === 'earn' ? d.amount : entry.kind === 'clawback' ? (changes.get(boardKey('all', ALL_DISTRICTS)) ?? 0) : 0;
    const text = reasonText(entry.reason, entry.reasonParams, d);
    const settled = await this.Ledger.findOneAndUpdate(
      { _id: entry._id, state: 'pending' },
      {
        $set: {
          state: d.declined ? 'declined' : 'applied',
          amount: d.amount,
          capped: d.capped,
          shortfall: d.shortfall,
          earned: d.declined ? 0 : earned,
          seq: d.seq,
          balanceAfter: d.balanceAfter,
          reasonText: text,
          settledAt: this.ctx.clock.now(),
        },
      },
      { returnDocument: 'after' },
    ).lean<LedgerEntry>();
    if (changes.size) {
      const values = new Map([...changes.keys()].map((k) => [k, book.earned?.[k] ?? 0]));
      await this.board.sync(entry.citizenId, values, book.v);
    }
    await this.release(entry.citizenId, raw);
    return settled ?? (await this.Ledger.findById(entry._id).lean<LedgerEntry>())!;
  }

  private async release(citizenId: string, raw: string): Promise<void> {
    await this.Account.updateOne({ _id: citizenId }, { $pull: { 'book.inflight': raw } });
  }

  /** No such citizen (an id from a deleted account): no account, nothing can apply, so nothing races the refusal. */
  private async declineOrphan(entry: LedgerEntry): Promise<LedgerEntry> {
    this.ctx.logger.warn({ entryId: String(entry._id), citizenId: entry.citizenId }, 'points entry for an unknown citizen declined');
    return (
      (await this.Ledger.findOneAndUpdate(
        { _id: entry._id, state: 'pending' },
        { $set: { state: 'declined', settledAt: this.ctx.clock.now() } },
        { returnDocument: 'after' },
      ).lean<LedgerEntry>()) ?? (await this.Ledger.findById(entry._id).lean<LedgerEntry>())!
    );
  }

  /** Finishes everything a crash left half-done: pending entries and decisions still in flight. Returns how many it touched. */
  async repair(): Promise<number> {
    let touched = 0;
    const pending = await this.Ledger.find({ state: 'pending' }).select({ _id: 1 }).lean();
    for (const e of pending) {
      await this.settle(e._id);
      touched += 1;
    }
    const withInflight = this.Account.find({ 'book.inflight.0': { $exists: true } })
      .select({ book: 1 })
      .lean<PointsAccount[]>()
      .cursor();
    for await (const a of withInflight) {
      for (const raw of a.book.inflight ?? []) {
        await this.settle(decode(raw).entryId);
        touched += 1;
      }
    }
    return touched;
  }

  /**
   * Every balance equals the sum of its applied ledger lines (plus decisions already on the
   * balance whose line is being flipped), no balance is negative, and the earned total equals
   * the earned lines. Returns what does not hold.
   */
  async checkInvariants(): Promise<PointsMismatch[]> {
    const sums = new Map(
      (
        await this.Ledger.aggregate<{ _id: string; amount: number; earned: number }>([
          { $match: { state: 'applied' } },
          { $group: { _id: '$citizenId', amount: { $sum: '$amount' }, earned: { $sum: '$earned' } } },
        ])
      ).map((g) => [g._id, { amount: g.amount, earned: g.earned }]),
    );

    const mismatches: PointsMismatch[] = [];
    const seen = new Set<string>();
    for await (const c of this.Account.find().select({ points: 1, book: 1 }).lean<PointsAccount[]>().cursor()) {
      const id = c._id;
      seen.add(id);
      const expected = { ...(sums.get(id) ?? { amount: 0, earned: 0 }) };
      const inflight = (c.book.inflight ?? []).map(decode).filter((d) => !d.declined);
      if (inflight.length) {
        const stillPending = await this.Ledger.find({ _id: { $in: inflight.map((d) => new Types.ObjectId(d.entryId)) }, state: 'pending' }).lean<
          LedgerEntry[]
        >();
        for (const entry of stillPending) {
          const d = inflight.find((x) => x.entryId === String(entry._id))!;
          expected.amount += d.amount;
          expected.earned += earnedChanges(entry, d.amount).get(boardKey('all', ALL_DISTRICTS)) ?? 0;
        }
      }
      const balance = c.points;
      const earned = c.book.earned?.[boardKey('all', ALL_DISTRICTS)] ?? 0;
      if (balance !== expected.amount) mismatches.push({ citizenId: id, issue: 'balance', actual: balance, expected: expected.amount });
      if (balance < 0) mismatches.push({ citizenId: id, issue: 'negative_balance', actual: balance, expected: 0 });
      if (earned !== expected.earned) mismatches.push({ citizenId: id, issue: 'earned', actual: earned, expected: expected.earned });
    }
    for (const [id, sum] of sums) {
      if (!seen.has(id) && sum.amount !== 0) mismatches.push({ citizenId: id, issue: 'unknown_citizen', actual: 0, expected: sum.amount });
    }
    return mismatches;
  }
}
