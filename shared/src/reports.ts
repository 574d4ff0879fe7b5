import { z } from 'zod';
import { cursorSchema } from './pagination';
import { safeText } from './text';
import { coordinateFromQuery } from './catalogue';
import { CASE_STATES, CITIZEN_STATUSES } from './cases';

export const DESCRIPTION_MAX_LENGTH = 500;
export const MAX_PHOTOS_PER_REPORT = 9;

export const latLngSchema = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type LatLng = z.infer<typeof latLngSchema>;

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'must be an id');

export const createReportSchema = z
  .object({
    categoryId: z.string().min(1).max(32),
    description: safeText().trim().max(DESCRIPTION_MAX_LENGTH).default(''),
    location: latLngSchema,
    address: safeText().trim().max(200).optional(),
    photoIds: z
      .array(z.string().min(1).max(64))
      .min(1, '请至少上传一张照片')
      .max(MAX_PHOTOS_PER_REPORT)
      .refine((ids) => new Set(ids).size === ids.length, 'photo ids must be unique'),
    anonymous: z.boolean().default(false),
    campaignId: z.string().min(1).max(64).optional(),
    /** Generated once per report by the client; a retry with the same id returns the same report. */
    clientRequestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, _ or -'),
  })
  .strict();
export type CreateReportInput = z.input<typeof createReportSchema>;

export const updateReportSchema = z.object({ description: safeText().trim().max(DESCRIPTION_MAX_LENGTH) }).strict();

export const rateReportSchema = z
  .object({
    score: z.number().int().min(1).max(5),
    comment: safeText().trim().max(300).default(''),
  })
  .strict();

export const notFixedSchema = z.object({ note: safeText().trim().min(1).max(300) }).strict();

export const nearbyQuerySchema = z.object({
  lat: coordinateFromQuery('lat', -90, 90),
  lng: coordinateFromQuery('lng', -180, 180),
  category: z.string().min(1).max(32),
});

export const myReportsQuerySchema = z.object({
  status: z.enum(CITIZEN_STATUSES).optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const photoRefSchema = z.object({ id: z.string(), url: z.string(), thumbUrl: z.string() });

export const timelineEntrySchema = z.object({
  at: z.string(),
  action: z.string(),
  actionName: z.string(),
  status: z.enum(CITIZEN_STATUSES),
  /** The acting role in Chinese (受理员, 处置部门…), never a staff member's name. */
  actor: z.string(),
  note: z.string().nullable(),
  photos: z.array(photoRefSchema),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const reportSummarySchema = z.object({
  id: objectId,
  caseNo: z.string(),
  categoryId: z.string(),
  categoryName: z.string(),
  status: z.enum(CITIZEN_STATUSES),
  state: z.enum(CASE_STATES),
  address: z.string().nullable(),
  thumbUrl: z.string().nullable(),
  supporterCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ReportSummary = z.infer<typeof reportSummarySchema>;

export const reportDetailSchema = reportSummarySchema.extend({
  /** `reporter` for one's own report, `supporter` for a case one backed (anonymised view). */
  relation: z.enum(['reporter', 'supporter']),
  description: z.string(),
  location: latLngSchema.nullable(),
  anonymous: z.boolean(),
  deadline: z.string().nullable(),
  overdue: z.boolean(),
  photos: z.array(photoRefSchema),
  afterPhotos: z.array(photoRefSchema),
  timeline: z.array(timelineEntrySchema),
  rejectReason: z.string().nullable(),
  mergedInto: z.object({ id: objectId, caseNo: z.string() }).nullable(),
  rating: z.object({ score: z.number().int(), comment: z.string(), at: z.string() }).nullable(),
  reopenRequested: z.boolean(),
  can: z.object({
    edit: z.boolean(),
    withdraw: z.boolean(),
    rate: z.boolean(),
    reportNotFixed: z.boolean(),
    confirmFixed: z.boolean(),
  }),
});
export type ReportDetail = z.infer<typeof reportDetailSchema>;

export const reportPageSchema = z.object({
  items: z.array(reportSummarySchema),
  nextCursor: z.string().nullable(),
});

/** Someone else's open case near the caller: anonymised, no reporter, no exact position. */
export const nearbyCaseSchema = z.object({
  id: objectId,
  caseNo: z.string(),
  categoryName: z.string(),
  status: z.enum(CITIZEN_STATUSES),
  /** Rounded to 10 m. */
  distanceM: z.number().int(),
  createdAt: z.string(),
  supporterCount: z.number().int(),
  thumbUrl: z.string().nullable(),
  supportedByMe: z.boolean(),
  mine: z.boolean(),
});
export type NearbyCase = z.infer<typeof nearbyCaseSchema>;

export const supportResultSchema = z.object({ id: objectId, supporterCount: z.number().int(), supported: z.literal(true) });

/**
 * A closed case its reporter chose to share: what was wrong and how it was fixed, never
 * who reported it or exactly where (the area is named down to the grid).
 */
export const sharedCaseSchema = z.object({
  id: z.string(),
  categoryName: z.string(),
  area: z.string(),
  reportedOn: z.string(),
  closedOn: z.string().nullable(),
  before: z.array(z.object({ url: z.string(), thumbUrl: z.string() })),
  after: z.array(z.object({ url: z.string(), thumbUrl: z.string() })),
});
export type SharedCase = z.infer<typeof sharedCaseSchema>;
