import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { claimStatusName, shanghaiMonth, type Claim } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound, unprocessable } from '../core/errors';
import { maskPhone } from '../core/mask';
import { keyset } from '../core/pagination';
import type { AuthService } from '../auth/service';
import type { PointsLedger } from './ledger';
import { getClaimLimitModel, getClaimModel, getRewardModel, type ClaimDoc, type ClaimRejectCode, type RewardDoc } from './models';
import type { RewardCatalogue } from './reward-catalogue';
import { isDuplicateKeyError } from '../db';

/**
 * A claim stuck in `reserving` this long is taken over by `repair` (driven forward with
 * the same idempotent steps). No request lives that long behind the server's timeouts.
 */
export const CLAIM_REPAIR_AFTER_MS = 10 * 60_000;
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

export function toClaim(c: ClaimDoc): Claim {
  return {
    id: String(c._id),
    rewardId: c.rewardId,
    rewardName: c.rewardName,
    kind: c.kind,
    costPoints: c.costPoints,
    status: c.status,
    statusName: claimStatusName(c.status, c.deliveredAt),
    phoneMasked: c.phoneMasked ?? null,
    fulfilmentCode: c.fulfilmentCode ?? null,
    failReason: c.failReason ?? null,
    createdAt: c.createdAt.toISOString(),
    fulfilledAt: c.fulfilledAt ? c.fulfilledAt.toISOString() : null,
    deliveredAt: c.deliveredAt ? c.deliveredAt.toISOString() : null,
    failedAt: c.failedAt ? c.failedAt.toISOString() : null,
  };
}

/** Keyed digest of a phone number: the claim keeps it to recognise the number later, never the number. */
export function digestPhone(secret: string, phone: string): string {
  return createHmac('sha256', secret).update(`phone:${phone}`).digest('hex');
}

/**
 * Claiming a reward. A claim takes, in this order, a slot of the citizen's
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
export class RewardClaims {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly ledger: PointsLedger,
    private readonly auth: AuthService,
    private readonly catalogue: RewardCatalogue,
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

  /** POST /rewards/:id/claims. A retry with the same clientRequestId returns the first claim (created=false). */
  async claim(citizenId: string, rewardId: string, clientRequestId?: string): Promise<{ created: boolean; claim: Claim }> {
    await this.catalogue.ensureCatalogue();
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
      phoneDigest = digestPhone(this.ctx.config.jwtSecret, phone);
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
      deliveredAt: null,
      deliveredBy: null,
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
  async settle(claim: ClaimDoc): Promise<void> {
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

  async listMine(citizenId: string, q: { cursor?: string; limit: number }): Promise<{ items: Claim[]; nextCursor: string | null }> {
    return this.page({ citizenId, status: { $ne: 'rejected' } }, q, toClaim);
  }

  async page<T>(filter: Record<string, unknown>, q: { cursor?: string; limit: number }, map: (c: ClaimDoc) => T) {
    const docs = await this.Claim.find({ ...filter, ...CLAIMS_ORDER.after(q.cursor) })
      .sort(CLAIMS_ORDER.sort)
      .limit(q.limit + 1)
      .lean<ClaimDoc[]>();
    const { items, nextCursor } = CLAIMS_ORDER.page(docs, q.limit);
    return { items: items.map(map), nextCursor };
  }

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
