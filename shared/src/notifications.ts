import { z } from 'zod';
import { cursorSchema } from './pagination';

/**
 * What a citizen hears about: the in-app message centre (every step of my cases, points,
 * claims, campaigns) and WeChat subscribe messages, sent only where the citizen granted
 * a send (one-time templates: one send per acceptance; long-term templates: any number).
 */

/** What a WeChat subscribe template is used for. */
export const SUBSCRIBE_PURPOSES = ['caseStatus', 'caseAccepted', 'caseResult', 'ratingReminder', 'campaign'] as const;
export type SubscribePurpose = (typeof SUBSCRIBE_PURPOSES)[number];

export const SUBSCRIBE_PURPOSE_NAMES_ZH: Record<SubscribePurpose, string> = {
  caseStatus: '案件进度提醒',
  caseAccepted: '受理结果通知',
  caseResult: '办理结果通知',
  ratingReminder: '评价提醒',
  campaign: '活动开始提醒',
};

/** WeChat's answer per template id to wx.requestSubscribeMessage. */
export const SUBSCRIBE_RESULTS = ['accept', 'reject', 'ban', 'filter'] as const;

export const subscriptionResultsSchema = z.object({
  results: z
    .record(z.string().min(1).max(64), z.enum(SUBSCRIBE_RESULTS))
    .refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= 5, '一次 1 至 5 个模板'),
});
export type SubscriptionResults = z.infer<typeof subscriptionResultsSchema>;

export const subscriptionStatusSchema = z.object({
  mode: z.enum(['one-time', 'long-term']),
  templates: z.array(
    z.object({
      purpose: z.enum(SUBSCRIBE_PURPOSES),
      name: z.string(),
      templateId: z.string(),
      kind: z.enum(['one-time', 'long-term']),
      /** Sends left (one-time), or null for an accepted long-term template. */
      remaining: z.number().int().nullable(),
      /** Whether another step would reach WeChat: a send left, or a long-term acceptance. */
      active: z.boolean(),
    }),
  ),
});
export type SubscriptionStatus = z.infer<typeof subscriptionStatusSchema>;

export const MESSAGE_KINDS = ['case', 'reply', 'points', 'claim', 'campaign'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const inboxMessageSchema = z.object({
  id: z.string(),
  kind: z.enum(MESSAGE_KINDS),
  title: z.string(),
  body: z.string(),
  /** The mini-program page the message opens, with its query. */
  page: z.string().nullable(),
  at: z.string(),
  read: z.boolean(),
});
export type InboxMessage = z.infer<typeof inboxMessageSchema>;

export const inboxQuerySchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const inboxPageSchema = z.object({ items: z.array(inboxMessageSchema), nextCursor: z.string().nullable(), unread: z.number().int() });
export type InboxPage = z.infer<typeof inboxPageSchema>;

export const unreadCountSchema = z.object({ unread: z.number().int() });
export type UnreadCount = z.infer<typeof unreadCountSchema>;

/** Mark some messages read, or all of them when `ids` is absent. */
export const markReadSchema = z
  .object({
    ids: z
      .array(z.string().regex(/^[a-f0-9]{24}$/, 'must be an id'))
      .min(1)
      .max(100)
      .optional(),
  })
  .optional();
