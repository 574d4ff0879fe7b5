import { z } from 'zod';
import { cursorSchema } from './pagination';
import { safeText } from './text';
import { CASE_ACTIONS, CASE_SOURCES, CASE_STATES } from './cases';
import { calendarDateSchema } from './catalogue';

const note = safeText().trim().max(500);
const version = z.number().int().min(1);
const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be a case id');

/** Bodies of POST /staff/cases/:id/actions, one shape per action. `version` is the case version the caller saw. */
export const staffActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('file'),
    version,
    categoryId: z.string().min(1).max(32).optional(),
    departmentId: z.string().min(1).max(64).optional(),
    internalNote: note.optional(),
  }),
  z.object({ action: z.literal('reject'), version, reason: z.enum(['invalid', 'out_of_scope']), publicNote: note.min(1) }),
  z.object({ action: z.literal('merge'), version, duplicateOf: objectId, internalNote: note.optional() }),
  z.object({ action: z.literal('forward'), version, targetId: z.string().min(1).max(64), internalNote: note.optional() }),
  z.object({ action: z.literal('dispatch'), version, departmentId: z.string().min(1).max(64).optional(), internalNote: note.optional() }),
  z.object({ action: z.literal('accept_task'), version }),
  z.object({ action: z.literal('return'), version, reason: note.min(1) }),
  z.object({
    action: z.literal('request_postpone'),
    version,
    extra: z.object({ value: z.number().positive().max(365), unit: z.enum(['work_hours', 'work_days']) }),
    reason: note.min(1),
  }),
  z.object({ action: z.literal('approve_postpone'), version, publicNote: note.optional() }),
  z.object({ action: z.literal('deny_postpone'), version, internalNote: note.min(1) }),
  z.object({
    action: z.literal('report_handled'),
    version,
    photoIds: z.array(z.string().min(1).max(64)).min(1, '请上传处置后照片').max(9),
    publicNote: note.min(1),
  }),
  z.object({ action: z.literal('verify_pass'), version, publicNote: note.optional() }),
  z.object({ action: z.literal('verify_fail'), version, internalNote: note.min(1) }),
  z.object({ action: z.literal('accept_reopen'), version, departmentId: z.string().min(1).max(64).optional(), internalNote: note.optional() }),
  z.object({ action: z.literal('decline_reopen'), version, publicNote: note.min(1) }),
  z.object({ action: z.literal('void'), version, publicNote: note.min(1) }),
]);
export type StaffAction = z.infer<typeof staffActionSchema>;
export type StaffActionName = StaffAction['action'];

export const caseQueueQuerySchema = z.object({
  state: z.enum(CASE_STATES).optional(),
  departmentId: z.string().max(64).optional(),
  districtId: z.string().max(64).optional(),
  streetId: z.string().max(64).optional(),
  gridId: z.string().max(64).optional(),
  categoryId: z.string().max(32).optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** citizen | campaign (a citizen report that counts for a campaign) | open311 | staff | external */
  source: z.enum([...CASE_SOURCES, 'campaign']).optional(),
  reopenRequested: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  postponeRequested: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /**
   * Search: a case number (`20261123-00042`, or its first digits) finds that case; other
   * text matches the description or the address (every word, case-insensitive).
   */
  q: safeText().trim().max(50, '搜索词最长 50 个字').optional(),
  /** Reported on or after this Asia/Shanghai day, "YYYY-MM-DD". */
  from: calendarDateSchema.optional(),
  /** Reported on or before this Asia/Shanghai day, "YYYY-MM-DD". */
  to: calendarDateSchema.optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type CaseQueueQuery = z.infer<typeof caseQueueQuerySchema>;

export const staffCaseSummarySchema = z.object({
  id: z.string(),
  caseNo: z.string(),
  state: z.enum(CASE_STATES),
  source: z.string(),
  campaignId: z.string().nullable(),
  categoryId: z.string(),
  categoryName: z.string(),
  districtId: z.string(),
  streetId: z.string(),
  gridId: z.string(),
  address: z.string().nullable(),
  /** GCJ-02, like every position in the product (the console's map plots it as is). */
  location: z.object({ lat: z.number(), lng: z.number() }),
  departmentId: z.string().nullable(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  reworkCount: z.number().int(),
  supporterCount: z.number().int(),
  postponeRequested: z.boolean(),
  reopenRequested: z.boolean(),
  thumbUrl: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type StaffCaseSummary = z.infer<typeof staffCaseSummarySchema>;

export const staffCaseEventSchema = z.object({
  seq: z.number().int(),
  action: z.enum(CASE_ACTIONS),
  actionName: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  at: z.string(),
  actorRole: z.string(),
  /** Staff display name (staff views only); citizens never see it. */
  actorName: z.string().nullable(),
  publicNote: z.string().nullable(),
  internalNote: z.string().nullable(),
  photos: z.array(z.object({ id: z.string(), url: z.string(), thumbUrl: z.string() })),
});

export const staffCaseDetailSchema = staffCaseSummarySchema.extend({
  description: z.string(),
  anonymous: z.boolean(),
  reporterNickname: z.string().nullable(),
  photos: z.array(z.object({ id: z.string(), url: z.string(), thumbUrl: z.string() })),
  /** Photos WeChat's content check found risky: hidden from everyone but staff reviewing them. */
  flaggedPhotoIds: z.array(z.string()),
  afterPhotos: z.array(z.object({ id: z.string(), url: z.string(), thumbUrl: z.string() })),
  proposedDepartments: z.array(z.string()),
  postponeRequest: z.object({ at: z.string(), extra: z.string(), reason: z.string() }).nullable(),
  reopenRequest: z.object({ at: z.string(), note: z.string() }).nullable(),
  rejectReason: z.string().nullable(),
  duplicateOf: z.string().nullable(),
  rating: z.object({ score: z.number(), comment: z.string() }).nullable(),
  events: z.array(staffCaseEventSchema),
  /** The actions the caller's role may take now, from the shared state machine. */
  allowedActions: z.array(z.enum(CASE_ACTIONS)),
});
export type StaffCaseDetail = z.infer<typeof staffCaseDetailSchema>;
