import { z } from 'zod';
import { safeText } from './text';

/*
 * Forwarding filed cases to an external official platform (the city's 数字城管
 * platform, the 12345 hotline…) and taking their status back. The wire protocol is
 * documented in docs/forwarding-protocol.md; these schemas are its single source.
 */

const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, '编号只能包含字母、数字、下划线和连字符（1–64 位）');

// ---------------------------------------------------------------- city data: forwarding.json

export const forwardingTargetSchema = z
  .object({
    id: idSchema,
    /** Shown to staff and, in the case timeline, to the reporter, e.g. 12345政务服务便民热线. */
    name: z.string().trim().min(1, '名称不能为空').max(60, '名称最长 60 个字'),
    /** The receiver's endpoint; cases are POSTed here. */
    url: z.url({ protocol: /^https?$/, error: '接收地址应为 http(s) 网址' }),
    /** Name of the environment variable holding the shared HMAC secret (secrets never live in files). */
    secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, '密钥环境变量名应为大写字母、数字和下划线'),
    timeoutMs: z.number().int().min(100, '超时至少 100 毫秒').max(60_000, '超时最多 60000 毫秒').default(10_000),
  })
  .strict();
export type ForwardingTarget = z.output<typeof forwardingTargetSchema>;

const idList = z.array(z.string().min(1)).min(1, '列表不能为空；不限制该维度时请省略此字段').max(5000);

/** A case matches a rule when every listed dimension matches; the first matching rule wins. */
export const forwardingRuleSchema = z
  .object({
    targetId: idSchema,
    categoryIds: idList.optional(),
    districtIds: idList.optional(),
    streetIds: idList.optional(),
  })
  .strict();
export type ForwardingRule = z.output<typeof forwardingRuleSchema>;

export const forwardingConfigSchema = z
  .object({
    targets: z.array(forwardingTargetSchema).min(1, '至少需要一个转办对象').max(50),
    rules: z.array(forwardingRuleSchema).max(1000).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.targets.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `转办对象编号 ${t.id} 重复` });
      ids.add(t.id);
    });
    cfg.rules.forEach((r, i) => {
      if (!ids.has(r.targetId)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'targetId'], message: `转办对象 ${r.targetId} 不存在` });
      }
    });
  });
export type ForwardingConfig = z.output<typeof forwardingConfigSchema>;

export interface ForwardingMatchInput {
  categoryId: string;
  districtId: string;
  streetId: string;
}

/** The first rule whose listed dimensions all match the case, or null. */
export function matchForwardingRule(rules: readonly ForwardingRule[], c: ForwardingMatchInput): ForwardingRule | null {
  return (
    rules.find(
      (r) =>
        (!r.categoryIds || r.categoryIds.includes(c.categoryId)) &&
        (!r.districtIds || r.districtIds.includes(c.districtId)) &&
        (!r.streetIds || r.streetIds.includes(c.streetId)),
    ) ?? null
  );
}

// ---------------------------------------------------------------- outgoing: the forwarded case

export const FORWARD_HEADERS = {
  timestamp: 'X-SSP-Timestamp',
  signature: 'X-SSP-Signature',
  idempotencyKey: 'Idempotency-Key',
  target: 'X-SSP-Target',
} as const;

/** Callbacks whose timestamp is further than this from the server clock are refused (replay protection). */
export const FORWARD_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** The JSON body POSTed to a target. */
export const forwardedCaseSchema = z.object({
  caseId: z.string(),
  caseNo: z.string(),
  idempotencyKey: z.string(),
  category: z.object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    family: z.string(),
    majorCode: z.string(),
  }),
  location: z.object({ lat: z.number(), lng: z.number(), address: z.string().nullable() }),
  area: z.object({ districtId: z.string(), streetId: z.string(), gridId: z.string() }),
  description: z.string(),
  /** Absolute URLs of the display-size photos. */
  photos: z.array(z.string()),
  reportedAt: z.string(),
  deadline: z.string().nullable(),
  /** Present only when the reporter allowed their contact to be shared. */
  reporter: z.object({ nickname: z.string(), phone: z.string().nullable() }).optional(),
  callbackUrl: z.string(),
});
export type ForwardedCase = z.infer<typeof forwardedCaseSchema>;

// ---------------------------------------------------------------- incoming: status callbacks

export const EXTERNAL_STATUSES = ['processing', 'handled', 'closed', 'rejected'] as const;
export type ExternalStatus = (typeof EXTERNAL_STATUSES)[number];

/** The receivers' own words for a status, accepted besides the English values. */
export const EXTERNAL_STATUS_ALIASES: Record<string, ExternalStatus> = {
  受理: 'processing',
  已受理: 'processing',
  处理中: 'processing',
  办理中: 'processing',
  已办理: 'handled',
  已处置: 'handled',
  已办结: 'closed',
  办结: 'closed',
  已结案: 'closed',
  退回: 'rejected',
  已退回: 'rejected',
  不予受理: 'rejected',
};

/** Status text the reporter's timeline shows when the platform sent no note. */
export const EXTERNAL_STATUS_NAMES_ZH: Record<ExternalStatus, string> = {
  processing: '上级平台正在办理',
  handled: '上级平台已办理，等待办结',
  closed: '上级平台已办结',
  rejected: '上级平台已退回',
};

const externalStatusSchema = z
  .string({ error: '缺少状态' })
  .trim()
  .transform((v, ctx) => {
    const status = (EXTERNAL_STATUSES as readonly string[]).includes(v) ? (v as ExternalStatus) : EXTERNAL_STATUS_ALIASES[v];
    if (!status) {
      ctx.addIssue({ code: 'custom', message: `状态应为 ${[...EXTERNAL_STATUSES, ...Object.keys(EXTERNAL_STATUS_ALIASES)].join('、')} 之一` });
      return z.NEVER;
    }
    return status;
  });

export const forwardingCallbackSchema = z
  .object({
    caseId: z.string().trim().min(1).max(64).optional(),
    externalId: z.string().trim().min(1).max(128).optional(),
    status: externalStatusSchema,
    note: safeText().trim().max(500, '说明最多 500 个字').optional(),
    occurredAt: z.iso.datetime({ offset: true, error: '发生时间应为 ISO 8601 时间，如 2026-11-23T10:00:00+08:00' }),
    /** The platform's unique id of this status event; a repeated id is acknowledged and ignored. */
    eventId: z.string().trim().min(1, '缺少事件编号').max(128, '事件编号最长 128 位'),
  })
  .superRefine((b, ctx) => {
    if (!b.caseId && !b.externalId) {
      ctx.addIssue({ code: 'custom', path: ['caseId'], message: '请提供 caseId 或 externalId' });
    }
  });
export type ForwardingCallback = z.output<typeof forwardingCallbackSchema>;

export const forwardingCallbackResultSchema = z.object({
  caseId: z.string(),
  state: z.string(),
  /** True when this eventId had been processed before (nothing changed). */
  duplicate: z.boolean(),
});
export type ForwardingCallbackResult = z.infer<typeof forwardingCallbackResultSchema>;

// ---------------------------------------------------------------- staff and admin API

/** POST /forwarding/cases/:id/forward (operator or dispatcher). */
export const manualForwardSchema = z
  .object({
    targetId: z.string({ error: '请选择转办对象' }).min(1, '请选择转办对象').max(64),
    note: safeText().trim().max(500, '说明最多 500 个字').optional(),
    /** The case version the operator saw (optimistic concurrency). */
    version: z.number().int().min(0).optional(),
  })
  .strict();
export type ManualForward = z.infer<typeof manualForwardSchema>;

export const forwardingTargetListSchema = z.object({
  enabled: z.boolean(),
  targets: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ForwardingTargetList = z.infer<typeof forwardingTargetListSchema>;

export const FORWARDING_DELIVERY_STATUSES = ['pending', 'sent', 'dropped', 'failed'] as const;

export const forwardingDeliverySchema = z.object({
  key: z.string(),
  caseId: z.string(),
  targetId: z.string(),
  /** dropped: the receiver refused it for good (a 4xx); failed: retries ran out. Both can be requeued. */
  status: z.enum(FORWARDING_DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ForwardingDelivery = z.infer<typeof forwardingDeliverySchema>;

/** GET /admin/forwarding. */
export const forwardingAdminViewSchema = z.object({
  enabled: z.boolean(),
  targets: z.array(
    z.object({ id: z.string(), name: z.string(), url: z.string(), timeoutMs: z.number(), secretEnv: z.string(), secretConfigured: z.boolean() }),
  ),
  rules: z.array(forwardingRuleSchema),
  counts: z.record(z.enum(FORWARDING_DELIVERY_STATUSES), z.number()),
  /** Deliveries needing attention: failed, refused, or pending after at least one failed attempt; newest first. */
  problems: z.array(forwardingDeliverySchema),
});
export type ForwardingAdminView = z.infer<typeof forwardingAdminViewSchema>;
