import { z } from 'zod';
import { cursorSchema } from './pagination';
import { safeText } from './text';

/*
 * Reward points (积分), the rewards catalogue and claims (兑换), and the leaderboard.
 * Points are earned only for real contributions (a report that was filed, a case closed,
 * a rating), kept in an append-only ledger, and spent on rewards.
 */

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be an id');
const clientRequestId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, _ or -');

// ---------------------------------------------------------------- rules (data/cities/<city>/points.json)

const cap = z.number().int().min(1, '上限至少为 1').max(1_000_000).nullable();

/**
 * A deployment's point rules. The first reporter's award is the category's basePoints
 * (categories.json), multiplied by a campaign's multiplier; caps count every award
 * (filing, backing, bonuses), by Asia/Shanghai day and month. null = no cap.
 */
export const pointsRulesSchema = z
  .object({
    /** Each citizen who backed the case (我也遇到) before it was filed, or backs it after. 0 = nothing. */
    supporterPoints: z.number().int().min(0).max(10_000),
    /** The reporter, when the case is closed (结案). */
    closeBonus: z.number().int().min(0).max(10_000),
    /** The reporter, for rating the result. */
    ratingBonus: z.number().int().min(0).max(10_000),
    dailyCap: cap,
    monthlyCap: cap,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.dailyCap !== null && r.monthlyCap !== null && r.dailyCap > r.monthlyCap) {
      ctx.addIssue({ code: 'custom', path: ['dailyCap'], message: '每日上限不能超过每月上限' });
    }
  });
export type PointsRules = z.infer<typeof pointsRulesSchema>;

// ---------------------------------------------------------------- ledger

export const LEDGER_KINDS = ['earn', 'spend', 'refund', 'clawback', 'adjustment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
export const LEDGER_KIND_NAMES_ZH: Record<LedgerKind, string> = {
  earn: '获得',
  spend: '兑换',
  refund: '退回',
  clawback: '扣回',
  adjustment: '人工调整',
};

/** Why points moved; the Chinese text on each line explains it to the citizen. */
export const LEDGER_REASONS = [
  'report_filed', // the citizen's report was filed (立案)
  'support_filed', // a case the citizen backed was filed
  'case_closed', // the citizen's report was closed (结案)
  'case_rated', // the citizen rated the result
  'case_voided', // a filed case was voided as false: its points taken back
  'reward_claim', // spent on a reward
  'claim_refund', // a claim that could not be fulfilled
  'admin_adjustment',
] as const;
export type LedgerReason = (typeof LEDGER_REASONS)[number];

export const pointsLineSchema = z.object({
  id: z.string(),
  kind: z.enum(LEDGER_KINDS),
  /** Signed: what the balance actually changed by. */
  amount: z.number().int(),
  /** What the rule asked for before caps (for clawbacks: what should have been taken back). */
  requested: z.number().int(),
  /** Withheld by the daily or monthly cap (recorded, not silently lost). */
  capped: z.number().int().min(0),
  /** Part of a clawback the balance could not cover. */
  shortfall: z.number().int().min(0),
  balanceAfter: z.number().int(),
  reason: z.enum(LEDGER_REASONS),
  reasonText: z.string(),
  caseId: z.string().nullable(),
  claimId: z.string().nullable(),
  campaignId: z.string().nullable(),
  multiplier: z.number().nullable(),
  at: z.string(),
});
export type PointsLine = z.infer<typeof pointsLineSchema>;

export const pointsHistorySchema = z.object({ items: z.array(pointsLineSchema), nextCursor: z.string().nullable() });
export type PointsHistory = z.infer<typeof pointsHistorySchema>;

/** A ledger line as the administrator audits it: also who made an adjustment and the reason they gave. */
export const staffPointsLineSchema = pointsLineSchema.extend({
  /** The reason an administrator typed for an adjustment (or a failed claim's reason); null otherwise. */
  note: z.string().nullable(),
  /** The staff member who made the change (adjustments); null for automatic lines. */
  operator: z.object({ id: z.string(), displayName: z.string() }).nullable(),
});
export type StaffPointsLine = z.infer<typeof staffPointsLineSchema>;
export const staffPointsHistorySchema = z.object({ items: z.array(staffPointsLineSchema), nextCursor: z.string().nullable() });
export type StaffPointsHistory = z.infer<typeof staffPointsHistorySchema>;

export const pointsHistoryQuerySchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const myPointsSchema = z.object({
  balance: z.number().int(),
  /** Earned (not spent) this Asia/Shanghai month and ever; clawbacks count against them. */
  earnedThisMonth: z.number().int(),
  earnedTotal: z.number().int(),
  month: z.string(),
  earnedToday: z.number().int(),
  dailyCap: z.number().int().nullable(),
  monthlyCap: z.number().int().nullable(),
  /** Shown as 匿名市民 on leaderboards. */
  leaderboardAnonymous: z.boolean(),
});
export type MyPoints = z.infer<typeof myPointsSchema>;

export const pointsPreferencesSchema = z.object({ anonymous: z.boolean({ error: '请选择是否匿名' }) }).strict();

// ---------------------------------------------------------------- administrators: citizens and their points

/**
 * GET /admin/citizens?q=: a citizen id (24 hex digits), the last 4 digits of the bound phone
 * number (what the masked number shows), or the start of a nickname.
 */
export const citizenSearchQuerySchema = z.object({
  q: safeText({ error: '请输入市民编号、手机尾号或昵称' }).trim().min(1, '请输入市民编号、手机尾号或昵称').max(40, '查询内容最多 40 个字'),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type CitizenSearchQuery = z.infer<typeof citizenSearchQuerySchema>;

/** A citizen as an administrator finds them: never the full phone number. */
export const citizenSummarySchema = z.object({
  id: z.string(),
  nickname: z.string(),
  /** e.g. 138****5678, or null without a bound number. */
  phoneMasked: z.string().nullable(),
  createdAt: z.string(),
});
export type CitizenSummary = z.infer<typeof citizenSummarySchema>;
export const citizenSearchResultSchema = z.object({ items: z.array(citizenSummarySchema), nextCursor: z.string().nullable() });
export type CitizenSearchResult = z.infer<typeof citizenSearchResultSchema>;

/** GET /admin/points/citizens/:id: who, and their balance. */
export const citizenPointsSchema = z.object({
  citizen: citizenSummarySchema,
  balance: z.number().int(),
  earnedTotal: z.number().int(),
});
export type CitizenPoints = z.infer<typeof citizenPointsSchema>;

export const pointsAdjustmentSchema = z
  .object({
    citizenId: objectId,
    amount: z
      .number({ error: '请填写调整的积分' })
      .int('积分必须是整数')
      .min(-100_000)
      .max(100_000)
      .refine((n) => n !== 0, '调整积分不能为 0'),
    reason: safeText({ error: '请填写调整原因' }).trim().min(2, '调整原因至少 2 个字').max(200, '调整原因最多 200 个字'),
    /** Optional: a retry with the same id adjusts once. */
    clientRequestId: clientRequestId.optional(),
  })
  .strict();
export type PointsAdjustment = z.infer<typeof pointsAdjustmentSchema>;

// ---------------------------------------------------------------- rewards

export const REWARD_KINDS = ['phone_credit', 'voucher', 'gift'] as const;
export type RewardKind = (typeof REWARD_KINDS)[number];
export const REWARD_KIND_NAMES_ZH: Record<RewardKind, string> = { phone_credit: '话费', voucher: '购物券', gift: '礼品' };

export const rewardIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, '奖品编号为 1–48 位小写字母、数字、_ 或 -');

const rewardFields = z
  .object({
    name: safeText().trim().min(1, '奖品名称不能为空').max(40, '奖品名称最多 40 个字'),
    kind: z.enum(REWARD_KINDS),
    description: safeText().trim().max(300).default(''),
    costPoints: z.number().int().min(1, '所需积分至少为 1').max(1_000_000),
    /** Units left to claim. */
    stock: z.number().int().min(0).max(1_000_000),
    /** Claims one citizen may make per limitPeriod; null = no limit. */
    perCitizenLimit: z.number().int().min(1).max(1000).nullable(),
    limitPeriod: z.enum(['month', 'all']),
    activeFrom: z.iso.datetime({ offset: true, error: '请使用 ISO 8601 时间，如 2026-01-01T00:00:00+08:00' }),
    activeTo: z.iso.datetime({ offset: true, error: '请使用 ISO 8601 时间，如 2026-12-31T23:59:59+08:00' }),
    imageUrl: z.string().url().max(500).nullable().default(null),
  })
  .strict();

const activeWindow = (r: { activeFrom: string; activeTo: string }, ctx: z.RefinementCtx) => {
  if (Date.parse(r.activeTo) <= Date.parse(r.activeFrom)) {
    ctx.addIssue({ code: 'custom', path: ['activeTo'], message: '结束时间必须晚于开始时间' });
  }
};

/** The body of PUT /admin/rewards/:id (the id is in the path). */
export const rewardInputSchema = rewardFields.superRefine(activeWindow);
export type RewardInput = z.infer<typeof rewardInputSchema>;

/** data/cities/<city>/rewards.json: the catalogue a deployment starts with. */
export const rewardsFileSchema = z
  .array(rewardFields.extend({ id: rewardIdSchema }).superRefine(activeWindow))
  .max(500)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `奖品编号 ${item.id} 重复` });
      seen.add(item.id);
    });
  });
export type RewardDefinition = z.infer<typeof rewardsFileSchema>[number];

export const rewardSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(REWARD_KINDS),
  kindName: z.string(),
  description: z.string(),
  costPoints: z.number().int(),
  stockLeft: z.number().int(),
  perCitizenLimit: z.number().int().nullable(),
  limitPeriod: z.enum(['month', 'all']),
  activeFrom: z.string(),
  activeTo: z.string(),
  imageUrl: z.string().nullable(),
  /** Phone credit: claiming needs a phone number bound to the account (PATCH /me). */
  needsPhone: z.boolean(),
});
export type Reward = z.infer<typeof rewardSchema>;

export const createClaimSchema = z
  .object({
    /** Generated once per tap by the client; a retry with the same id returns the same claim. */
    clientRequestId: clientRequestId.optional(),
  })
  .strict();

export const CLAIM_STATUSES = ['reserving', 'pending', 'fulfilled', 'failed', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const CLAIM_STATUS_NAMES_ZH: Record<ClaimStatus, string> = {
  reserving: '处理中',
  pending: '待发放',
  fulfilled: '已发放',
  failed: '发放失败，积分已退回',
  rejected: '兑换未成功',
};

/** What the citizen sees of a fulfilled claim once staff marked it delivered (a field, not a status: the claim stays fulfilled). */
export const CLAIM_DELIVERED_NAME_ZH = '已送达';

/** The status name shown for a claim: 已送达 for a fulfilled claim marked delivered. */
export function claimStatusName(status: ClaimStatus, deliveredAt: string | Date | null | undefined): string {
  return status === 'fulfilled' && deliveredAt ? CLAIM_DELIVERED_NAME_ZH : CLAIM_STATUS_NAMES_ZH[status];
}

export const claimSchema = z.object({
  id: z.string(),
  rewardId: z.string(),
  rewardName: z.string(),
  kind: z.enum(REWARD_KINDS),
  costPoints: z.number().int(),
  status: z.enum(CLAIM_STATUSES),
  statusName: z.string(),
  /** Phone credit goes to this number (masked, e.g. 138****5678). */
  phoneMasked: z.string().nullable(),
  /** Voucher code or top-up reference recorded by staff. */
  fulfilmentCode: z.string().nullable(),
  failReason: z.string().nullable(),
  createdAt: z.string(),
  fulfilledAt: z.string().nullable(),
  /** Set when staff marked a fulfilled claim delivered (已送达); the status stays fulfilled. */
  deliveredAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});
export type Claim = z.infer<typeof claimSchema>;

export const staffClaimSchema = claimSchema.extend({ citizenId: z.string(), citizenNickname: z.string() });
export type StaffClaim = z.infer<typeof staffClaimSchema>;

export const claimListQuerySchema = z.object({
  status: z.enum(CLAIM_STATUSES).optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const claimExportQuerySchema = z.object({ status: z.enum(['pending', 'fulfilled', 'failed']).default('pending') });

export const fulfilClaimSchema = z
  .object({ code: safeText({ error: '请填写发放凭证' }).trim().min(1, '请填写发放凭证').max(100, '发放凭证最多 100 个字符') })
  .strict();
export const failClaimSchema = z
  .object({ reason: safeText({ error: '请填写失败原因' }).trim().min(2, '失败原因至少 2 个字').max(200, '失败原因最多 200 个字') })
  .strict();

// ---------------------------------------------------------------- leaderboard

export const leaderboardQuerySchema = z
  .object({
    period: z.enum(['month', 'all']).default('month'),
    /** Asia/Shanghai month; defaults to the current one. */
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM')
      .optional(),
    district: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, '区编号格式错误')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .superRefine((q, ctx) => {
    if (q.period === 'all' && q.month) ctx.addIssue({ code: 'custom', path: ['month'], message: '总榜不按月份查询' });
  });

export const leaderboardEntrySchema = z.object({
  rank: z.number().int(),
  /** Nickname, or 匿名市民 for citizens who chose anonymity. Never an id. */
  displayName: z.string(),
  earned: z.number().int(),
  isMe: z.boolean(),
});

export const leaderboardSchema = z.object({
  period: z.enum(['month', 'all']),
  month: z.string().nullable(),
  districtId: z.string().nullable(),
  items: z.array(leaderboardEntrySchema),
  /** The signed-in citizen's own standing (rank null until they earn points in the period). */
  me: z.object({ rank: z.number().int().nullable(), earned: z.number().int(), displayName: z.string() }).nullable(),
});
export type Leaderboard = z.infer<typeof leaderboardSchema>;
