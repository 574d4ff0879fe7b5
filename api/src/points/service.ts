import { Types } from 'mongoose';
import {
  shanghaiDay,
  pageRoute,
  shanghaiMonth,
  type Leaderboard,
  type LedgerReason,
  type MyPoints,
  type CitizenPoints,
  type PointsAdjustment,
  type PointsHistory,
  type PointsLine,
  type PointsRules,
  type RewardDefinition,
  type StaffPointsHistory,
  type StaffPointsLine,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, validationFailed } from '../core/errors';
import { keyset } from '../core/pagination';
import type { AuthService } from '../auth/service';
import type { CatalogueService } from '../catalogue/service';
import type { CaseEffect } from '../cases/models';
import { historyBefore, type CaseEventMessage, type CaseView } from '../cases/events';
import { ALL_DISTRICTS, boardKey, LeaderboardStore } from './leaderboard';
import { PointsLedger, type PointsMismatch } from './ledger';
import { getCaseAwardsModel, getLedgerModel, getPointsAccountModel, type EarnedDelta, type LedgerEntry } from './models';
import { RewardService } from './rewards';
import { isDuplicateKeyError } from '../db';
import type { NewMessage } from '../notifications/inbox';

export interface PointsServiceOptions {
  auth: AuthService;
  catalogue: CatalogueService;
  /** The deployment's rules (points.json) and starting rewards (rewards.json), from its city profile. */
  rules: PointsRules | null;
  rewards: RewardDefinition[];
  /** A campaign's points multiplier, or null when it has none (or is unknown). Default: no multipliers. */
  campaignMultiplier?: (campaignId: string) => Promise<number | null>;
  /** Puts a line in the citizen's message centre (the notifications domain). */
  tell?: (message: NewMessage) => Promise<void>;
}

/** Largest multiplier taken from a campaign; anything odd is ignored rather than trusted. */
const MAX_MULTIPLIER = 10;
const CLOSING_ACTIONS = new Set(['verify_pass', 'confirm_fixed', 'external_update']);
/** A citizen's points history: the newest applied line first. */
const HISTORY_ORDER = keyset<LedgerEntry, 'number'>('seq', -1, 'number');

function toLine(e: LedgerEntry): PointsLine {
  return {
    id: String(e._id),
    kind: e.kind,
    amount: e.amount,
    requested: e.requested,
    capped: e.capped,
    shortfall: e.shortfall,
    balanceAfter: e.balanceAfter ?? 0,
    reason: e.reason,
    reasonText: e.reasonText,
    caseId: e.caseId ?? null,
    claimId: e.claimId ?? null,
    campaignId: e.campaignId ?? null,
    multiplier: e.multiplier ?? null,
    at: e.at.toISOString(),
  };
}

/** A line as the administrator audits it: the reason typed and who made the change. */
function toStaffLine(e: LedgerEntry, operators: Map<string, string>): StaffPointsLine {
  const note = e.reasonParams?.note;
  return {
    ...toLine(e),
    note: typeof note === 'string' ? note : null,
    operator: e.actorId ? { id: e.actorId, displayName: operators.get(e.actorId) ?? '（已删除的账号）' } : null,
  };
}

interface Award {
  event: CaseEventMessage;
  citizenId: string;
  kind: 'filed' | 'support' | 'closed' | 'rated';
  reason: LedgerReason;
  requested: number;
  categoryName: string;
  multiplier?: number | null;
}

/**
 * Reward points: awards from case events by the deployment's rules (points.json), the
 * ledger and balances, clawbacks, admin adjustments, the leaderboard, and (through
 * `rewards`) the rewards catalogue and claims.
 */
export class PointsService {
  readonly rules: PointsRules | null;
  readonly board: LeaderboardStore;
  readonly ledger: PointsLedger;
  readonly rewards: RewardService;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: PointsServiceOptions,
  ) {
    this.rules = options.rules;
    this.board = new LeaderboardStore(ctx, options.auth);
    this.ledger = new PointsLedger(ctx, () => this.rules, this.board, options.auth);
    this.rewards = new RewardService(ctx, this.ledger, options.auth, options.rewards, options.tell);
  }

  private get Awards() {
    return getCaseAwardsModel(this.ctx.db);
  }

  // ------------------------------------------------------------ awards from case events

  /**
   * Case-event subscriber. Idempotent by business key (one award per case × citizen × kind),
   * so a replayed effect or a later duplicate event never pays twice.
   */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, _effect: CaseEffect): Promise<void> {
    if (event.action === 'void') return this.clawBack(view, event);
    const rules = this.rules;
    if (!rules) return;
    const reporterId = view.reporterId ?? null;
    switch (event.action) {
      case 'file':
        return this.onFiled(view, event, rules);
      case 'support': {
        const citizenId = event.data?.citizenId;
        const filedBefore = historyBefore(view, event).some((e) => e.action === 'file');
        if (!citizenId || !filedBefore || citizenId === reporterId) return;
        return this.award({
          event,
          citizenId,
          kind: 'support',
          reason: 'support_filed',
          requested: rules.supporterPoints,
          categoryName: view.categoryName,
        });
      }
      case 'rate':
        if (!reporterId) return;
        return this.award({
          event,
          citizenId: reporterId,
          kind: 'rated',
          reason: 'case_rated',
          requested: rules.ratingBonus,
          categoryName: view.categoryName,
        });
      default:
        if (!CLOSING_ACTIONS.has(event.action) || event.to !== 'closed' || !reporterId) return;
        return this.award({
          event,
          citizenId: reporterId,
          kind: 'closed',
          reason: 'case_closed',
          requested: rules.closeBonus,
          categoryName: view.categoryName,
        });
    }
  }

  /** Filing pays the first reporter the category's points (times a campaign's multiplier) and everyone who backed it so far. */
  private async onFiled(view: CaseView, event: CaseEventMessage, rules: PointsRules): Promise<void> {
    const categoryId = event.dims.categoryId;
    let category: { name: string; basePoints: number };
    try {
      category = await this.options.catalogue.getCategory(categoryId);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The category left the catalogue: there is no rule to pay by; retrying would not help.
      this.ctx.logger.warn({ caseId: event.caseId, categoryId }, 'no points for a case whose category is gone');
      return;
    }
    if (view.reporterId) {
      const multiplier = await this.multiplierFor(event);
      await this.award({
        event,
        citizenId: view.reporterId,
        kind: 'filed',
        reason: 'report_filed',
        requested: Math.round(category.basePoints * (multiplier ?? 1)),
        categoryName: category.name,
        multiplier,
      });
    }
    const backers = historyBefore(view, event)
      .map((e) => (e.action === 'support' ? e.data?.citizenId : undefined))
      .filter((id): id is string => !!id && id !== view.reporterId);
    for (const citizenId of new Set(backers)) {
      await this.award({
        event,
        citizenId,
        kind: 'support',
        reason: 'support_filed',
        requested: rules.supporterPoints,
        categoryName: category.name,
      });
    }
  }

  private async multiplierFor(event: CaseEventMessage): Promise<number | null> {
    const campaignId = event.dims.campaignId;
    if (!campaignId || !this.options.campaignMultiplier) return null;
    const m = await this.options.campaignMultiplier(campaignId);
    if (m === null || m === 1) return null;
    if (!Number.isFinite(m) || m <= 0 || m > MAX_MULTIPLIER) {
      this.ctx.logger.warn({ campaignId, multiplier: m }, 'campaign multiplier out of range; ignored');
      return null;
    }
    return m;
  }

  private async award(a: Award): Promise<void> {
    if (a.requested <= 0) return;
    const caseId = a.event.caseId;
    const businessKey = `${a.kind}:case:${caseId}:user:${a.citizenId}`;
    if (!(await this.registerAward(caseId, businessKey))) return;
    const entry = await this.ledger.record({
      citizenId: a.citizenId,
      kind: 'earn',
      requested: a.requested,
      reason: a.reason,
      reasonParams: { categoryName: a.categoryName, multiplier: a.multiplier ?? null },
      businessKey,
      at: a.event.at,
      caseId,
      campaignId: a.kind === 'filed' ? a.event.dims.campaignId : null,
      multiplier: a.multiplier ?? null,
      districtId: a.event.dims.districtId,
    });
    if (entry.state === 'applied' && entry.amount > 0) {
      await this.options.tell?.({
        key: `points:${businessKey}`,
        citizenId: a.citizenId,
        kind: 'points',
        title: `获得积分 +${entry.amount}`,
        body: entry.reasonText,
        page: pageRoute('points'),
        at: a.event.at,
      });
    }
  }

  /**
   * Registers an award with its case unless the case was voided first. One document per
   * case orders "registered" and "voided" atomically, so the clawback sees every award.
   */
  private async registerAward(caseId: string, key: string): Promise<boolean> {
    try {
      await this.Awards.updateOne({ _id: caseId }, { $setOnInsert: { voided: false, keys: [] } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const added = await this.Awards.updateOne({ _id: caseId, voided: false }, { $addToSet: { keys: key } });
    if (added.matchedCount === 1) return true;
    // Voided: an award registered before the void still goes ahead (the clawback waits for it).
    return (await this.Awards.countDocuments({ _id: caseId, keys: key })) === 1;
  }

  /** A filed case voided as false: every citizen's awards for it are taken back, never below a zero balance. */
  private async clawBack(view: CaseView, event: CaseEventMessage): Promise<void> {
    const caseId = event.caseId;
    const awards = await this.Awards.findOneAndUpdate({ _id: caseId }, { $set: { voided: true } }, { upsert: true, returnDocument: 'after' }).lean();
    const keys = awards?.keys ?? [];
    if (!keys.length) return;
    const found = await Promise.all(keys.map((k) => this.ledger.findByKey(k)));
    if (found.some((e) => !e)) throw new Error(`case ${caseId}: awards are still being recorded; the clawback will retry`);
    const entries = await Promise.all(found.map((e) => (e!.state === 'pending' ? this.ledger.settle(e!._id) : e!)));

    const byCitizen = new Map<string, { total: number; deltas: EarnedDelta[] }>();
    for (const e of entries) {
      if (e.state !== 'applied' || e.amount <= 0) continue;
      const acc = byCitizen.get(e.citizenId) ?? { total: 0, deltas: [] };
      acc.total += e.amount;
      acc.deltas.push({ month: e.month, districtId: e.districtId ?? null, n: -e.amount });
      byCitizen.set(e.citizenId, acc);
    }
    for (const [citizenId, { total, deltas }] of byCitizen) {
      await this.ledger.record({
        citizenId,
        kind: 'clawback',
        requested: -total,
        reason: 'case_voided',
        reasonParams: { categoryName: view.categoryName },
        businessKey: `clawback:case:${caseId}:user:${citizenId}`,
        at: event.at,
        caseId,
        districtId: event.dims.districtId,
        earnedDelta: deltas,
      });
    }
  }

  // ------------------------------------------------------------ adjustments

  async adjust(actorId: string, input: PointsAdjustment): Promise<{ line: StaffPointsLine; balance: number }> {
    if (!(await this.options.auth.citizenExists(input.citizenId))) {
      throw notFound('市民不存在', 'NOT_FOUND');
    }
    const entry = await this.ledger.record({
      citizenId: input.citizenId,
      kind: 'adjustment',
      requested: input.amount,
      reason: 'admin_adjustment',
      reasonParams: { note: input.reason },
      businessKey: `adjustment:${actorId}:${input.clientRequestId ?? new Types.ObjectId().toHexString()}`,
      at: this.ctx.clock.now(),
      actorId,
    });
    if (entry.state === 'declined') {
      const balance = await this.balanceOf(input.citizenId);
      throw conflict('INSUFFICIENT_POINTS', '扣减后积分将小于 0', [{ field: 'amount', issue: `该市民当前积分为 ${balance}，最多可扣减 ${balance}` }]);
    }
    const operators = await this.options.auth.staffDisplayNames([actorId]);
    return { line: toStaffLine(entry, operators), balance: entry.balanceAfter ?? 0 };
  }

  /** An administrator's view of a citizen's points: who (masked number) and the balance. */
  async citizenPoints(citizenId: string): Promise<CitizenPoints> {
    const [citizen, account] = await Promise.all([this.options.auth.citizenSummary(citizenId), this.ledger.account(citizenId)]);
    if (!citizen) throw notFound('市民不存在', 'NOT_FOUND');
    return {
      citizen,
      balance: account?.points ?? 0,
      earnedTotal: account?.book?.earned?.[boardKey('all', ALL_DISTRICTS)] ?? 0,
    };
  }

  /** The citizen's applied lines for the administrator's audit, newest first, with each adjustment's reason and operator. */
  async historyForStaff(citizenId: string, q: { cursor?: string; limit: number }): Promise<StaffPointsHistory> {
    if (!(await this.options.auth.citizenExists(citizenId))) throw notFound('市民不存在', 'NOT_FOUND');
    const docs = await this.ledger.applied(citizenId, HISTORY_ORDER, q.cursor, q.limit + 1);
    const { items, nextCursor } = HISTORY_ORDER.page(docs, q.limit);
    const operators = await this.options.auth.staffDisplayNames(items.flatMap((e) => (e.actorId ? [e.actorId] : [])));
    return { items: items.map((e) => toStaffLine(e, operators)), nextCursor };
  }

  // ------------------------------------------------------------ citizen views

  /** Net points of the ledger lines carrying a campaign (clawbacks of voided cases count against it). */
  async netPointsOfCampaign(campaignId: string): Promise<number> {
    const rows = await getLedgerModel(this.ctx.db)
      .aggregate<{ total: number }>([{ $match: { campaignId } }, { $group: { _id: null, total: { $sum: '$amount' } } }])
      .exec();
    return rows[0]?.total ?? 0;
  }

  /** A citizen's balance (0 before their first ledger entry). */
  async balanceOf(citizenId: string): Promise<number> {
    return (await this.ledger.account(citizenId))?.points ?? 0;
  }

  async myPoints(citizenId: string): Promise<MyPoints> {
    const [exists, account] = await Promise.all([this.options.auth.citizenExists(citizenId), this.ledger.account(citizenId)]);
    if (!exists) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    const book = account?.book ?? { v: 0 };
    const now = this.ctx.clock.now();
    const month = shanghaiMonth(now);
    return {
      balance: account?.points ?? 0,
      earnedThisMonth: book.earned?.[boardKey(month, ALL_DISTRICTS)] ?? 0,
      earnedTotal: book.earned?.[boardKey('all', ALL_DISTRICTS)] ?? 0,
      month,
      earnedToday: book.capDay?.[shanghaiDay(now)] ?? 0,
      dailyCap: this.rules?.dailyCap ?? null,
      monthlyCap: this.rules?.monthlyCap ?? null,
      leaderboardAnonymous: account?.leaderboardAnonymous ?? false,
    };
  }

  /** Applied lines, newest first; each says in Chinese why the balance moved and what it came to. */
  async history(citizenId: string, q: { cursor?: string; limit: number }): Promise<PointsHistory> {
    const docs = await this.ledger.applied(citizenId, HISTORY_ORDER, q.cursor, q.limit + 1);
    const { items, nextCursor } = HISTORY_ORDER.page(docs, q.limit);
    return { items: items.map(toLine), nextCursor };
  }

  async setPreferences(citizenId: string, anonymous: boolean): Promise<MyPoints> {
    if (!(await this.options.auth.citizenExists(citizenId))) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    await this.ledger.openAccount(citizenId);
    await getPointsAccountModel(this.ctx.db).updateOne({ _id: citizenId }, { $set: { leaderboardAnonymous: anonymous } });
    return this.myPoints(citizenId);
  }

  async leaderboard(q: { period: 'month' | 'all'; month?: string; district?: string; limit: number }, viewerId: string | null): Promise<Leaderboard> {
    if (q.district) {
      const tree = await this.options.catalogue.areaTree();
      if (!tree.districts.some((d) => d.id === q.district)) throw validationFailed([{ field: 'district', issue: `区 ${q.district} 不存在` }]);
    }
    const month = q.period === 'month' ? (q.month ?? shanghaiMonth(this.ctx.clock.now())) : null;
    return this.board.top({ period: q.period, month, districtId: q.district ?? null, limit: q.limit }, viewerId);
  }

  // ------------------------------------------------------------ operations

  /** Balance == applied lines, never negative, earned totals match: what does not hold (empty when all is well). */
  checkInvariants(): Promise<PointsMismatch[]> {
    return this.ledger.checkInvariants();
  }

  /** Finishes ledger entries and claims a crash left half-done. */
  async repair(): Promise<{ ledger: number; claims: number }> {
    const ledger = await this.ledger.repair();
    const claims = await this.rewards.repair();
    return { ledger, claims };
  }
}
