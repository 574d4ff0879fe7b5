import { Types } from 'mongoose';
import {
  CLAIM_STATUS_NAMES_ZH,
  claimStatusName,
  pageRoute,
  REWARD_KIND_NAMES_ZH,
  shanghaiMinute,
  type ClaimStatus,
  type StaffClaim,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { conflict, notFound } from '../core/errors';
import { toCsv } from '../core/csv';
import type { AuthService } from '../auth/service';
import type { NewMessage } from '../notifications/inbox';
import { digestPhone, toClaim, type RewardClaims } from './claims';
import { getClaimModel, type ClaimDoc } from './models';

const EXPORT_MAX_ROWS = 10_000;

/** Staff handing claimed rewards over: the queue, shipped (with its code), delivered, or failed (points back), the fulfilment CSV. */
export class ClaimFulfilment {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly claims: RewardClaims,
    private readonly auth: AuthService,
    private readonly tell?: (message: NewMessage) => Promise<void>,
  ) {}

  private get Claim() {
    return getClaimModel(this.ctx.db);
  }

  async listForStaff(q: { status?: ClaimStatus; cursor?: string; limit: number }): Promise<{ items: StaffClaim[]; nextCursor: string | null }> {
    const page = await this.claims.page(q.status ? { status: q.status } : { status: { $ne: 'rejected' } }, q, (c) => c);
    const nicknames = await this.nicknames(page.items.map((c) => c.citizenId));
    return {
      items: page.items.map((c) => ({ ...toClaim(c), citizenId: c.citizenId, citizenNickname: nicknames.get(c.citizenId) ?? '' })),
      nextCursor: page.nextCursor,
    };
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

  /**
   * A fulfilled (shipped) claim reached the citizen: 已送达. Only from fulfilled (else 409
   * CLAIM_NOT_FULFILLED); marking it again answers the claim as it is (the first time stays).
   * One conditional update decides, so parallel clicks change it once.
   */
  async markDelivered(claimId: string, staffId: string): Promise<StaffClaim> {
    if (!Types.ObjectId.isValid(claimId)) throw notFound('兑换记录不存在');
    const now = this.ctx.clock.now();
    const updated = await this.Claim.findOneAndUpdate(
      { _id: claimId, status: 'fulfilled', deliveredAt: null },
      { $set: { deliveredAt: now, deliveredBy: staffId, updatedAt: now } },
      { returnDocument: 'after' },
    ).lean<ClaimDoc>();
    if (updated) {
      await this.tellDelivered(updated);
      return this.staffView(updated);
    }
    const current = await this.Claim.findById(claimId).lean<ClaimDoc>();
    if (!current) throw notFound('兑换记录不存在');
    if (current.status === 'fulfilled' && current.deliveredAt) return this.staffView(current);
    throw conflict('CLAIM_NOT_FULFILLED', `该兑换当前为「${CLAIM_STATUS_NAMES_ZH[current.status]}」，发放后才能标记送达`);
  }

  private async tellDelivered(claim: ClaimDoc): Promise<void> {
    await this.tell?.({
      key: `claim:${String(claim._id)}:delivered`,
      citizenId: claim.citizenId,
      kind: 'claim',
      title: `兑换已送达：${claim.rewardName}`,
      body: '奖品已送达，感谢您参与城市管理',
      page: pageRoute('claims'),
      at: claim.deliveredAt ?? claim.updatedAt,
    }).catch((err: Error) => this.ctx.logger.warn({ claimId: String(claim._id), err: err.message }, 'claim message not added to the message centre'));
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
    await this.claims.settle(updated);
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
      '送达时间（北京时间）',
    ];
    const rows = claims.map((c) => {
      const citizen = byId.get(c.citizenId);
      const phoneCells: string[] = [];
      if (withFullPhone) {
        if (!c.phoneDigest) phoneCells.push('', '');
        else if (citizen?.phone && digestPhone(this.ctx.config.jwtSecret, citizen.phone) === c.phoneDigest) phoneCells.push(citizen.phone, '一致');
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
        claimStatusName(c.status, c.deliveredAt),
        c.fulfilmentCode ?? '',
        c.deliveredAt ? shanghaiMinute(c.deliveredAt) : '',
      ];
    });
    return toCsv(header, rows);
  }
}
