import type { NewMessage } from '../notifications/inbox';
import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import {
  CLAIM_STATUS_NAMES_ZH,
  pageRoute,
  REWARD_KIND_NAMES_ZH,
  shanghaiMinute,
  shanghaiMonth,
  type Claim,
  type ClaimStatus,
  type Reward,
  type RewardDefinition,
  type RewardInput,
  type StaffClaim,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, unprocessable } from '../core/errors';
import { maskPhone } from '../core/mask';
import { toCsv } from '../core/csv';
import { keyset } from '../core/pagination';
import type { AuthService } from '../auth/service';
import type { PointsLedger } from './ledger';
import { getClaimLimitModel, getClaimModel, getPointsMetaModel, getRewardModel, type ClaimDoc, type ClaimRejectCode, type RewardDoc } from './models';
import { isDuplicateKeyError } from '../db';

/**
 * A claim stuck in `reserving` this long is taken over by `repair` (driven forward with
 * the same idempotent steps). No request lives that long behind the server's timeouts.
 */
export const CLAIM_REPAIR_AFTER_MS = 10 * 60_000;
const EXPORT_MAX_ROWS = 10_000;

const REJECTION_MESSAGES: Record<ClaimRejectCode, string> = {
  OUT_OF_STOCK: '奖品已兑完',
  CLAIM_LIMIT_REACHED: '已达到该奖品的兑换次数上限',
  INSUFFICIENT_POINTS: '积分不足',
};

function rejectionError(code: ClaimRejectCode): ApiError {
  return conflict(code, REJECTION_MESSAGES[code]);
}

/** Claims: newest first. */
const CLAIMS_ORDER = keyset<ClaimDoc>('_id', -1);

function toClaim(c: ClaimDoc): Claim {
  return {
    id: String(c._id),
    rewardId: c.rewardId,
    rewardName: c.rewardName,
    kind: c.kind,
    costPoints: c.costPoints,
    status: c.status,
    statusName: CLAIM_STATUS_NAMES_ZH[c.status],
    phoneMasked: c.phoneMasked ?? null,
    fulfilmentCode: c.fulfilmentCode ?? null,
    failReason: c.failReason ?? null,
    createdAt: c.createdAt.toISOString(),
    fulfilledAt: c.fulfilledAt ? c.fulfilledAt.toISOString() : null,
    failedAt: c.failedAt ? c.failedAt.toISOString() : null,
  };
}

function toReward(r: RewardDoc): Reward {
  return {
    id: r._id,
    name: r.name,
    kind: r.kind,
    kindName: REWARD_KIND_NAMES_ZH[r.kind],
    description: r.description ?? '',
    costPoints: r.costPoints,
    stockLeft: r.stock,
    perCitizenLimit: r.perCitizenLimit ?? null,
    limitPeriod: r.limitPeriod,
    activeFrom: r.activeFrom.toISOString(),
    activeTo: r.activeTo.toISOString(),
    imageUrl: r.imageUrl ?? null,
    needsPhone: r.kind === 'phone_credit',
  };
}

/**
 * The rewards catalogue and claims. A claim takes, in this order, a slot of the citizen's
 * limit, a unit of stock and the points; each step is one conditional single-document
 * update keyed by the claim id, so repeating a step is a no-op, and a step that fails
 * gives back what the earlier ones took. Exactly as many claims succeed as there is
 * stock; a failed fulfilment returns the points (a refund line), the unit and the slot.
 *
 * Phone credit: the claim keeps the number masked plus an HMAC of it. Staff fulfil from
 * the admin-only CSV export, which reads the citizen's number at export time and prints
 * it only when it still matches the HMAC (otherwise it says the number changed). The
 * full number is never stored on the claim nor shown in the app.
 */
export class RewardService {
  private seeding?: Promise<void>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly ledger: PointsLedger,
    private readonly auth: AuthService,
    private readonly definitions: RewardDefinition[],
    private readonly tell?: (message: NewMessage) => Promise<void>,
  ) {}

  private get Reward() {
    return getRewardModel(this.ctx.db);
  }
  private get Claim() {
    return getClaimModel(this.ctx.db);
  }
  private get Limit() {
    return getClaimLimitModel(this.ctx.db);
  }

  /** Loads rewards.json into the catalogue once per database (later edits are made over the admin API). */
  ensureCatalogue(): Promise<void> {
    this.seeding ??= this.seed().catch((err: unknown) => {
      this.seeding = undefined;
      throw err;
    });
    return this.seeding;
  }

  private async seed(): Promise<void> {
    await Promise.all([this.Claim.createIndexes(), this.Reward.createIndexes()]);
    const Meta = getPointsMetaModel(this.ctx.db);
    if (await Meta.findById('rewards-seeded').lean()) return;
    const now = this.ctx.clock.now();
    for (const def of this.definitions) {
      const { id, ...fields } = def;
      try {
        await this.Reward.updateOne(
          { _id: id },
          { $setOnInsert: { ...this.rewardFields(fields), holds: [], createdAt: now, updatedAt: now } },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    await Meta.updateOne({ _id: 'rewards-seeded' }, { $setOnInsert: { at: now } }, { upsert: true }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }

  private rewardFields(input: RewardInput) {
    return {
      name: input.name,
      kind: input.kind,
      description: input.description,
      costPoints: input.costPoints,
      stock: input.stock,
      perCitizenLimit: input.perCitizenLimit,
      limitPeriod: input.limitPeriod,
      activeFrom: new Date(input.activeFrom),
      activeTo: new Date(input.activeTo),
      imageUrl: input.imageUrl,
    };
  }

  // ------------------------------------------------------------ catalogue

  /** What citizens can claim now, cheapest first. */
  async listActive(): Promise<Reward[]> {
    await this.ensureCatalogue();
    const now = this.ctx.clock.now();
    const docs = await this.Reward.find({ activeFrom: { $lte: now }, activeTo: { $gte: now } })
      .select({ holds: 0 })
      .sort({ costPoints: 1, _id: 1 })
      .lean<RewardDoc[]>();
    return docs.map(toReward);
  }

  async listAll(): Promise<(Reward & { unitsHeld: number })[]> {
    await this.ensureCatalogue();
    const docs = await this.Reward.find().sort({ _id: 1 }).lean<RewardDoc[]>();
    return docs.map((d) => ({ ...toReward(d), unitsHeld: d.holds?.length ?? 0 }));
  }

  /** Creates or changes a reward; `stock` sets the units left from now on (units already claimed stay claimed). */
  async upsertReward(id: string, input: RewardInput): Promise<Reward> {
    await this.ensureCatalogue();
    const now = this.ctx.clock.now();
    const doc = await this.Reward.findOneAndUpdate(
      { _id: id },
      { $set: { ...this.rewardFields(input), updatedAt: now }, $setOnInsert: { holds: [], createdAt: now } },
      { upsert: true, returnDocument: 'after' },
    ).lean<RewardDoc>();
    return toReward(doc!);
  }

  // ------------------------------------------------------------ claiming

  /** POST /rewards/:id/claims. A retry with the same clientRequestId returns the first claim (created=false). */
  async claim(citizenId: string, rewardId: string, clientRequestId?: string): Promise<{ created: boolean; claim: Claim }> {
    await this.ensureCatalogue();
    const key = `${citizenId}:${clientRequestId ?? new Types.ObjectId().toHexString()}`;
    const existing = await this.Claim.findOne({ key }).lean<ClaimDoc>();
    if (existing) return { created: false, claim: this.outcome(existing) };

    const reward = await this.Reward.findById(rewardId).select({ holds: 0 }).lean<RewardDoc>();
    if (!reward) throw notFound('奖品不存在');
    const now = this.ctx.clock.now();
    if (now < reward.activeFrom || now > reward.activeTo) throw conflict('REWARD_NOT_ACTIVE');

    let phoneMasked: string | null = null;
    let phoneDigest: string | null = null;
    if (reward.kind === 'phone_credit') {
      const phone = await this.auth.getCitizenPhone(citizenId);
      if (!phone) throw unprocessable('PHONE_REQUIRED', undefined, [{ field: 'phone', issue: '兑换话费前请先在「我的」中绑定手机号' }]);
      phoneMasked = maskPhone(phone);
      phoneDigest = this.phoneDigest(phone);
    }
    // Cheap early answers; the conditional updates below are what actually decide.
    if (!(await this.auth.citizenExists(citizenId))) throw new ApiError(401, 'UNAUTHENTICATED', '账号不存在，请重新登录');
    const balance = (await this.ledger.account(citizenId))?.points ?? 0;
    if (balance < reward.costPoints) {
      throw conflict('INSUFFICIENT_POINTS', `积分不足：需要 ${reward.costPoints} 分，当前 ${balance} 分`);
    }
    if (reward.stock < 1) throw rejectionError('OUT_OF_STOCK');

    const limitPeriod = reward.limitPeriod === 'month' ? shanghaiMonth(now) : 'all';
    const doc: ClaimDoc = {
      _id: new Types.ObjectId(),
      key,
      citizenId,
      rewardId,
      rewardName: reward.name,
      kind: reward.kind,
      costPoints: reward.costPoints,
      status: 'reserving',
      rejectCode: null,
      limitId: reward.perCitizenLimit ? `${rewardId}|${citizenId}|${limitPeriod}` : null,
      phoneMasked,
      phoneDigest,
      fulfilmentCode: null,
      failReason: null,
      settled: false,
      createdAt: now,
      updatedAt: now,
      fulfilledAt: null,
      fulfilledBy: null,
      failedAt: null,
      failedBy: null,
    };
    try {
      await this.Claim.collection.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return { created: false, claim: this.outcome((await this.Claim.findOne({ key }).lean<ClaimDoc>())!) };
    }
    return { created: true, claim: this.outcome(await this.advance(doc)) };
  }

  /** A rejected claim answers with why; any other is returned as it stands. */
  private outcome(c: ClaimDoc): Claim {
    if (c.status === 'rejected') throw rejectionError(c.rejectCode ?? 'OUT_OF_STOCK');
    return toClaim(c);
  }

  /** Drives a reserving claim to pending, or to rejected with everything it took given back. Idempotent. */
  private async advance(claim: ClaimDoc): Promise<ClaimDoc> {
    const id = String(claim._id);
    if (claim.limitId) {
      const reward = await this.Reward.findById(claim.rewardId).select({ perCitizenLimit: 1 }).lean<RewardDoc>();
      const limit = reward?.perCitizenLimit ?? null;
      if (limit !== null && !(await this.takeLimitSlot(claim.limitId, id, limit))) return this.reject(claim, 'CLAIM_LIMIT_REACHED');
    }
    if (!(await this.takeStock(claim.rewardId, id))) return this.reject(claim, 'OUT_OF_STOCK');
    const spend = await this.ledger.record({
      citizenId: claim.citizenId,
      kind: 'spend',
      requested: -claim.costPoints,
      reason: 'reward_claim',
      reasonParams: { rewardName: claim.rewardName },
      businessKey: `claim:${id}:spend`,
      at: claim.createdAt,
      claimId: id,
    });
    if (spend.state === 'declined') return this.reject(claim, 'INSUFFICIENT_POINTS');

    const now = this.ctx.clock.now();
    const done = await this.Claim.findOneAndUpdate(
      { _id: claim._id, status: 'reserving' },
      { $set: { status: 'pending', updatedAt: now } },
      { returnDocument: 'after' },
    ).lean<ClaimDoc>();
    if (done) return done;
    // Someone else finished it meanwhile (repair): if it ended rejected, give back what this run took.
    const current = (await this.Claim.findById(claim._id).lean<ClaimDoc>())!;
    if (current.status !== 'pending') await this.settle(current);
    return current;
  }

  private async takeLimitSlot(limitId: string, claimId: string, limit: number): Promise<boolean> {
    try {
      await this.Limit.updateOne({ _id: limitId }, { $setOnInsert: { count: 0, claims: [] } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    const taken = await this.Limit.updateOne(
      { _id: limitId, claims: { $ne: claimId }, count: { $lt: limit } },
      { $inc: { count: 1 }, $push: { claims: claimId } },
    );
    if (taken.modifiedCount === 1) return true;
    return (await this.Limit.countDocuments({ _id: limitId, claims: claimId })) === 1;
  }

  private async takeStock(rewardId: string, claimId: string): Promise<boolean> {
    const taken = await this.Reward.updateOne(
      { _id: rewardId, stock: { $gte: 1 }, holds: { $ne: claimId } },
      { $inc: { stock: -1 }, $push: { holds: claimId } },
    );
    if (taken.modifiedCount === 1) return true;
    return (await this.Reward.countDocuments({ _id: rewardId, holds: claimId })) === 1;
  }

  private async reject(claim: ClaimDoc, code: ClaimRejectCode): Promise<ClaimDoc> {
    const now = this.ctx.clock.now();
    const rejected = await this.Claim.findOneAndUpdate(
      { _id: claim._id, status: 'reserving' },
      { $set: { status: 'rejected', rejectCode: code, updatedAt: now } },
      { returnDocument: 'after' },
    ).lean<ClaimDoc>();
    const current = rejected ?? (await this.Claim.findById(claim._id).lean<ClaimDoc>())!;
    await this.settle(current);
    return current;
  }

  /**
   * Finishes what a final status owes, each step a no-op when already done: a rejected or
   * failed claim returns its unit, its limit slot and (if spent) its points; a fulfilled
   * one lets go of its hold.
   */
  private async settle(claim: ClaimDoc): Promise<void> {
    const id = String(claim._id);
    if (claim.status === 'rejected' || claim.status === 'failed') {
      await this.Reward.updateOne({ _id: claim.rewardId, holds: id }, { $inc: { stock: 1 }, $pull: { holds: id } });
      if (claim.limitId) await this.Limit.updateOne({ _id: claim.limitId, claims: id }, { $inc: { count: -1 }, $pull: { claims: id } });
      const spend = await this.ledger.findByKey(`claim:${id}:spend`);
      const spent = spend && (spend.state === 'pending' ? await this.ledger.settle(spend._id) : spend);
      if (spent && spent.state === 'applied') {
        await this.ledger.record({
          citizenId: claim.citizenId,
          kind: 'refund',
          requested: -spent.amount,
          reason: 'claim_refund',
          reasonParams: { rewardName: claim.rewardName, note: claim.failReason ?? null },
          businessKey: `claim:${id}:refund`,
          at: this.ctx.clock.now(),
          claimId: id,
        });
      }
    } else if (claim.status === 'fulfilled') {
      await this.Reward.updateOne({ _id: claim.rewardId, holds: id }, { $pull: { holds: id } });
    } else {
      return;
    }
    await this.Claim.updateOne({ _id: claim._id, settled: false }, { $set: { settled: true } });
  }

  // ------------------------------------------------------------ citizen and staff views

  async listMine(citizenId: string, q: { cursor?: string; limit: number }): Promise<{ items: Claim[]; nextCursor: string | null }> {
    return this.page({ citizenId, status: { $ne: 'rejected' } }, q, toClaim);
  }

  async listForStaff(q: { status?: ClaimStatus; cursor?: string; limit: number }): Promise<{ items: StaffClaim[]; nextCursor: string | null }> {
    const page = await this.page(q.status ? { status: q.status } : { status: { $ne: 'rejected' } }, q, (c) => c);
    const nicknames = await this.nicknames(page.items.map((c) => c.citizenId));
    return {
      items: page.items.map((c) => ({ ...toClaim(c), citizenId: c.citizenId, citizenNickname: nicknames.get(c.citizenId) ?? '' })),
      nextCursor: page.nextCursor,
    };
  }

  private async page<T>(filter: Record<string, unknown>, q: { cursor?: string; limit: number }, map: (c: ClaimDoc) => T) {
    const docs = await this.Claim.find({ ...filter, ...CLAIMS_ORDER.after(q.cursor) })
      .sort(CLAIMS_ORDER.sort)
      .limit(q.limit + 1)
      .lean<ClaimDoc[]>();
    const { items, nextCursor } = CLAIMS_ORDER.page(docs, q.limit);
    return { items: items.map(map), nextCursor };
  }

  private async nicknames(ids: string[]): Promise<Map<string, string>> {
    const contacts = await this.auth.citizenContacts(ids);
    return new Map([...contacts].map(([id, c]) => [id, c.nickname]));
  }

  async fulfil(claimId: string, code: string, staffId: string): Promise<StaffClaim> {
    const now = this.ctx.clock.now();
    const claim = await this.finalise(claimId, { status: 'fulfilled', fulfilmentCode: code, fulfilledAt: now, fulfilledBy: staffId, updatedAt: now });
    return this.staffView(claim);
  }

  async fail(claimId: string, reason: string, staffId: string): Promise<StaffClaim> {
    const now = this.ctx.clock.now();
    const claim = await this.finalise(claimId, { status: 'failed', failReason: reason, failedAt: now, failedBy: staffId, updatedAt: now });
    return this.staffView(claim);
  }

  private async finalise(claimId: string, set: Partial<ClaimDoc>): Promise<ClaimDoc> {
    if (!Types.ObjectId.isValid(claimId)) throw notFound('兑换记录不存在');
    const updated = await this.Claim.findOneAndUpdate(
      { _id: claimId, status: 'pending' },
      { $set: set },
      { returnDocument: 'after' },
    ).lean<ClaimDoc>();
    if (!updated) {
      const current = await this.Claim.findById(claimId).lean<ClaimDoc>();
      if (!current) throw notFound('兑换记录不存在');
      throw conflict('CLAIM_NOT_PENDING', `该兑换当前为「${CLAIM_STATUS_NAMES_ZH[current.status]}」，不能重复操作`);
    }
    await this.settle(updated);
    await this.tellCitizen(updated);
    return updated;
  }

  /** The claim's outcome in the citizen's message centre; a failure here must not undo the decision. */
  private async tellCitizen(claim: ClaimDoc): Promise<void> {
    if (claim.status !== 'fulfilled' && claim.status !== 'failed') return;
    const fulfilled = claim.status === 'fulfilled';
    await this.tell?.({
      key: `claim:${String(claim._id)}:${claim.status}`,
      citizenId: claim.citizenId,
      kind: 'claim',
      title: fulfilled ? `兑换已发放：${claim.rewardName}` : `兑换未成功：${claim.rewardName}`,
      body: fulfilled ? '请留意短信或到账信息' : `积分已退回。${claim.failReason ?? ''}`.trim(),
      page: pageRoute('claims'),
      at: claim.updatedAt,
    }).catch((err: Error) => this.ctx.logger.warn({ claimId: String(claim._id), err: err.message }, 'claim message not added to the message centre'));
  }

  private async staffView(c: ClaimDoc): Promise<StaffClaim> {
    const nicknames = await this.nicknames([c.citizenId]);
    return { ...toClaim(c), citizenId: c.citizenId, citizenNickname: nicknames.get(c.citizenId) ?? '' };
  }

  private phoneDigest(phone: string): string {
    return createHmac('sha256', this.ctx.config.jwtSecret).update(`phone:${phone}`).digest('hex');
  }

  /**
   * Claims as CSV for fulfilment (UTF-8 with BOM so Excel reads the Chinese). Admins get the
   * full phone number when it still matches the one the claim was made with; other staff
   * get the masked number only.
   */
  async exportCsv(status: 'pending' | 'fulfilled' | 'failed', withFullPhone: boolean): Promise<string> {
    const claims = await this.Claim.find({ status }).sort({ _id: 1 }).limit(EXPORT_MAX_ROWS).lean<ClaimDoc[]>();
    const byId = await this.auth.citizenContacts(claims.map((c) => c.citizenId));

    const header = [
      '兑换单号',
      '奖品',
      '类型',
      '消耗积分',
      '市民昵称',
      '手机号（脱敏）',
      ...(withFullPhone ? ['手机号（完整）', '号码核对'] : []),
      '申请时间（北京时间）',
      '状态',
      '发放凭证',
    ];
    const rows = claims.map((c) => {
      const citizen = byId.get(c.citizenId);
      const phoneCells: string[] = [];
      if (withFullPhone) {
        if (!c.phoneDigest) phoneCells.push('', '');
        else if (citizen?.phone && this.phoneDigest(citizen.phone) === c.phoneDigest) phoneCells.push(citizen.phone, '一致');
        else phoneCells.push('', '市民已更换或解绑手机号，请联系市民确认');
      }
      return [
        String(c._id),
        c.rewardName,
        REWARD_KIND_NAMES_ZH[c.kind],
        String(c.costPoints),
        citizen?.nickname ?? '',
        c.phoneMasked ?? '',
        ...phoneCells,
        shanghaiMinute(c.createdAt),
        CLAIM_STATUS_NAMES_ZH[c.status],
        c.fulfilmentCode ?? '',
      ];
    });
    return toCsv(header, rows);
  }

  // ------------------------------------------------------------ repair

  /**
   * Finishes claims a crash interrupted: reserving ones older than CLAIM_REPAIR_AFTER_MS
   * are driven forward (or rejected, giving everything back); final ones not yet settled
   * are settled; units held by claims that already ended are returned.
   */
  async repair(): Promise<number> {
    let touched = 0;
    const cutoff = new Date(this.ctx.clock.now().getTime() - CLAIM_REPAIR_AFTER_MS);
    for (const claim of await this.Claim.find({ status: 'reserving', createdAt: { $lt: cutoff } }).lean<ClaimDoc[]>()) {
      await this.advance(claim);
      touched += 1;
    }
    for (const claim of await this.Claim.find({ settled: false, status: { $in: ['rejected', 'failed', 'fulfilled'] } }).lean<ClaimDoc[]>()) {
      await this.settle(claim);
      touched += 1;
    }
    for (const reward of await this.Reward.find({ 'holds.0': { $exists: true } })
      .select({ holds: 1 })
      .lean<RewardDoc[]>()) {
      const ended = await this.Claim.find({
        _id: { $in: reward.holds.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id)) },
        status: { $in: ['rejected', 'failed', 'fulfilled'] },
      }).lean<ClaimDoc[]>();
      for (const claim of ended) {
        await this.settle(claim);
        touched += 1;
      }
    }
    return touched;
  }
}
