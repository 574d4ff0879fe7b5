import { z } from 'zod';
import { safeText } from './text';
import { photoIdSchema } from './media';

/**
 * Participation campaigns run by publicity staff (宣传), e.g. a two-week 文明城市 drive
 * against illegal small ads with double points for the target categories and areas.
 */

export const CAMPAIGN_TITLE_MAX = 40;
export const CAMPAIGN_SUMMARY_MAX = 120;
/** Hard ceiling of the rich-text body; the deployment's own limit (config) is at most this. */
export const CAMPAIGN_BODY_HARD_MAX = 200_000;
/** The longest window a campaign may run. */
export const CAMPAIGN_MAX_DAYS = 366;
/** Ended campaigns stay in the citizens' list this long. */
export const CAMPAIGN_RECENTLY_ENDED_DAYS = 30;

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'live', 'ended'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CAMPAIGN_STATUS_NAMES_ZH: Record<CampaignStatus, string> = {
  draft: '草稿',
  scheduled: '即将开始',
  live: '进行中',
  ended: '已结束',
};

export interface CampaignTiming {
  published: boolean;
  startAt: Date;
  endAt: Date;
  /** Set when staff ended the campaign early. */
  endedAt: Date | null;
}

/** The status follows from the published flag and the window at `now`: never from a timer. */
export function campaignStatusAt(c: CampaignTiming, now: Date): CampaignStatus {
  if (!c.published) return 'draft';
  const t = now.getTime();
  if (c.endedAt && c.endedAt.getTime() <= t) return 'ended';
  if (t < c.startAt.getTime()) return 'scheduled';
  if (t < c.endAt.getTime()) return 'live';
  return 'ended';
}

/** When the campaign stopped (or will stop) counting: the early end, else the planned end. */
export function campaignEffectiveEnd(c: Pick<CampaignTiming, 'endAt' | 'endedAt'>): Date {
  return c.endedAt && c.endedAt < c.endAt ? c.endedAt : c.endAt;
}

// ---------------------------------------------------------------- staff input

const bodyError = (issue: { code?: string; keys?: string[] }) => {
  if (issue.code === 'invalid_type') return '请求内容必须是 JSON 对象';
  if (issue.code === 'unrecognized_keys') return `不支持的字段：${(issue.keys ?? []).join('、')}`;
  return undefined;
};

const dateTime = z.iso.datetime({ offset: true, error: '时间格式应为 ISO 8601，如 2026-11-23T09:00:00+08:00' }).transform((v) => new Date(v));

const uniqueIds = (max: number, what: string) =>
  z
    .array(z.string().min(1, `${what}编号不能为空`).max(64, `${what}编号过长`), { error: `${what}须为编号列表` })
    .max(max, `最多 ${max} 个${what}`)
    .refine((ids) => new Set(ids).size === ids.length, `${what}编号不能重复`);

const campaignFields = {
  title: safeText({ error: '请填写活动标题' }).trim().min(1, '请填写活动标题').max(CAMPAIGN_TITLE_MAX, `标题最多 ${CAMPAIGN_TITLE_MAX} 个字`),
  summary: safeText({ error: '摘要必须是文字' }).trim().max(CAMPAIGN_SUMMARY_MAX, `摘要最多 ${CAMPAIGN_SUMMARY_MAX} 个字`),
  /** Rich text (HTML); the API keeps a safe subset and refuses scripts. */
  body: safeText({ error: '正文必须是文字' }).max(CAMPAIGN_BODY_HARD_MAX, `正文最多 ${CAMPAIGN_BODY_HARD_MAX} 个字符`),
  coverPhotoId: photoIdSchema.nullable(),
  startAt: dateTime,
  endAt: dateTime,
  /** Empty: every category. */
  targetCategoryIds: uniqueIds(500, '类别'),
  /** District, street or grid ids; empty: the whole city. */
  targetAreaIds: uniqueIds(1000, '区域'),
  /** Points multiplier for matching reports; the range is the deployment's (config). */
  multiplier: z.number({ error: '积分倍数必须是数字' }).finite('积分倍数必须是数字'),
  participationGoal: z.number({ error: '参与目标必须是整数' }).int('参与目标必须是整数').min(1, '参与目标至少为 1').max(100_000_000).nullable(),
};

export const createCampaignSchema = z
  .object(
    {
      ...campaignFields,
      summary: campaignFields.summary.default(''),
      body: campaignFields.body.default(''),
      coverPhotoId: campaignFields.coverPhotoId.default(null),
      targetCategoryIds: campaignFields.targetCategoryIds.default([]),
      targetAreaIds: campaignFields.targetAreaIds.default([]),
      participationGoal: campaignFields.participationGoal.default(null),
    },
    { error: bodyError },
  )
  .strict();
export type CreateCampaignInput = z.input<typeof createCampaignSchema>;
export type CreateCampaign = z.output<typeof createCampaignSchema>;

const version = z.number({ error: '缺少版本号 version' }).int().min(0);

/** PATCH: only the fields sent change; `version` is the one the editor saw. */
export const updateCampaignSchema = z
  .object(
    {
      version,
      title: campaignFields.title.optional(),
      summary: campaignFields.summary.optional(),
      body: campaignFields.body.optional(),
      coverPhotoId: campaignFields.coverPhotoId.optional(),
      startAt: campaignFields.startAt.optional(),
      endAt: campaignFields.endAt.optional(),
      targetCategoryIds: campaignFields.targetCategoryIds.optional(),
      targetAreaIds: campaignFields.targetAreaIds.optional(),
      multiplier: campaignFields.multiplier.optional(),
      participationGoal: campaignFields.participationGoal.optional(),
    },
    { error: bodyError },
  )
  .strict();
export type UpdateCampaignInput = z.input<typeof updateCampaignSchema>;
export type UpdateCampaign = z.output<typeof updateCampaignSchema>;

const reason = safeText({ error: '请填写原因' }).trim().min(1, '请填写原因').max(200, '原因最多 200 个字');

export const publishCampaignSchema = z.object({ version: version.optional() }, { error: bodyError }).strict();
export const unpublishCampaignSchema = z.object({ version: version.optional(), reason }, { error: bodyError }).strict();
export const endCampaignSchema = z.object({ version: version.optional(), reason: reason.optional() }, { error: bodyError }).strict();

export const campaignSubscriptionSchema = z
  .object({ districtId: z.string({ error: '请选择区县' }).min(1, '请选择区县').max(64) }, { error: bodyError })
  .strict();

// ---------------------------------------------------------------- answers

const idName = z.object({ id: z.string(), name: z.string() });

/** What citizens see (GET /campaigns/:id, and the staff preview): counts only, nobody named. */
export const publicCampaignSchema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  /** Sanitised HTML: p, br, strong, b, em, ul, ol, li, a (http/https), img (our /media/ URLs). */
  body: z.string(),
  cover: z.object({ url: z.string(), thumbUrl: z.string() }).nullable(),
  startAt: z.string(),
  endAt: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  statusName: z.string(),
  multiplier: z.number(),
  /** Pre-selected by the mini-program's "report for this campaign" entry; empty: every category. */
  targetCategories: z.array(idName),
  /** Empty: the whole city. */
  targetAreas: z.array(idName),
  progress: z.object({
    reportsReceived: z.number().int(),
    fixed: z.number().int(),
    participants: z.number().int(),
    goal: z.number().int().nullable(),
  }),
});
export type PublicCampaign = z.infer<typeof publicCampaignSchema>;

export const campaignSummarySchema = publicCampaignSchema.pick({
  id: true,
  title: true,
  summary: true,
  cover: true,
  startAt: true,
  endAt: true,
  status: true,
  statusName: true,
  multiplier: true,
});
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;

export const campaignListSchema = z.object({ items: z.array(campaignSummarySchema) });
export type CampaignList = z.infer<typeof campaignListSchema>;

export const CAMPAIGN_CHANGE_ACTIONS = ['create', 'update', 'publish', 'unpublish', 'end'] as const;
export type CampaignChangeAction = (typeof CAMPAIGN_CHANGE_ACTIONS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const campaignChangeSchema = z.object({
  at: z.string(),
  by: idName,
  action: z.enum(CAMPAIGN_CHANGE_ACTIONS),
  fields: z.array(z.string()),
  /** Before and after of each changed field; lists are joined with ", ", the rich-text body is only named in `fields`. */
  diff: z.array(z.object({ field: z.string(), before: scalar, after: scalar })),
  reason: z.string().nullable(),
});
export type CampaignChange = z.infer<typeof campaignChangeSchema>;

/** The staff view: everything, with the change log. */
export const adminCampaignSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.enum(CAMPAIGN_STATUSES),
  title: z.string(),
  summary: z.string(),
  body: z.string(),
  coverPhotoId: z.string().nullable(),
  cover: z.object({ url: z.string(), thumbUrl: z.string() }).nullable(),
  startAt: z.string(),
  endAt: z.string(),
  endedAt: z.string().nullable(),
  published: z.boolean(),
  targetCategoryIds: z.array(z.string()),
  targetAreaIds: z.array(z.string()),
  multiplier: z.number(),
  participationGoal: z.number().int().nullable(),
  createdBy: idName,
  createdAt: z.string(),
  updatedAt: z.string(),
  changes: z.array(campaignChangeSchema),
});
export type AdminCampaign = z.infer<typeof adminCampaignSchema>;

export const adminCampaignListSchema = z.object({
  items: z.array(
    adminCampaignSchema.pick({
      id: true,
      version: true,
      status: true,
      title: true,
      startAt: true,
      endAt: true,
      endedAt: true,
      multiplier: true,
      updatedAt: true,
    }),
  ),
});
export type AdminCampaignList = z.infer<typeof adminCampaignListSchema>;

export const campaignDayResultSchema = z.object({
  /** Beijing calendar day, YYYY-MM-DD. */
  date: z.string(),
  received: z.number().int(),
  filed: z.number().int(),
  closed: z.number().int(),
});
export type CampaignDayResult = z.infer<typeof campaignDayResultSchema>;

export const campaignResultsSchema = z.object({
  campaignId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  /** Distinct citizens who reported or backed a case for the campaign. */
  participants: z.number().int(),
  /** Participants whose account was created within the campaign window. */
  newCitizens: z.number().int(),
  reportsReceived: z.number().int(),
  filed: z.number().int(),
  closed: z.number().int(),
  /** Closed with handling feedback by the deadline / closed; null before anything closed. */
  onTimeRate: z.number().nullable(),
  pointsAwarded: z.number(),
  perDay: z.array(campaignDayResultSchema),
});
export type CampaignResults = z.infer<typeof campaignResultsSchema>;

export const campaignSubscriptionsSchema = z.object({ districtIds: z.array(z.string()) });
export type CampaignSubscriptions = z.infer<typeof campaignSubscriptionsSchema>;
