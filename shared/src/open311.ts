import { z } from 'zod';
import { safeText } from './text';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) as this API speaks it.
 * Field names and status values follow the specification; services are the
 * publicly reportable categories, service_code is the category id (e.g. C0101).
 */

export const open311ServiceSchema = z.object({
  service_code: z.string(),
  service_name: z.string(),
  description: z.string(),
  metadata: z.boolean(),
  type: z.enum(['realtime', 'batch', 'blackbox']),
  keywords: z.string(),
  group: z.string(),
});
export type Open311Service = z.infer<typeof open311ServiceSchema>;

export const open311ServiceDefinitionSchema = z.object({
  service_code: z.string(),
  attributes: z.array(
    z.object({ variable: z.boolean(), code: z.string(), datatype: z.string(), required: z.boolean(), order: z.number(), description: z.string() }),
  ),
});

export const OPEN311_STATUSES = ['open', 'closed'] as const;

export const open311RequestSchema = z.object({
  service_request_id: z.string(),
  status: z.enum(OPEN311_STATUSES),
  status_notes: z.string().nullable(),
  service_name: z.string(),
  service_code: z.string(),
  description: z.string().nullable(),
  agency_responsible: z.string().nullable(),
  service_notice: z.string().nullable(),
  requested_datetime: z.string(),
  updated_datetime: z.string(),
  expected_datetime: z.string().nullable(),
  /** Area names (district, street, grid), never the reporter's own address text. */
  address: z.string().nullable(),
  address_id: z.string().nullable(),
  zipcode: z.string().nullable(),
  /** Rounded to 3 decimals (about 100 m): no exact location leaves through Open311. */
  lat: z.number(),
  long: z.number(),
  media_url: z.string().nullable(),
});
export type Open311Request = z.infer<typeof open311RequestSchema>;

export const open311CreatedSchema = z.object({
  service_request_id: z.string(),
  service_notice: z.string().nullable(),
  account_id: z.string().nullable(),
});

export const open311ErrorSchema = z.object({ code: z.number().int(), description: z.string() });

const text = (max: number) => safeText().trim().max(max);

/** POST /requests parameters (form-encoded or JSON). Personal fields are accepted but not stored. */
export const open311CreateSchema = z.object({
  api_key: z.string().min(1, 'api_key is required'),
  service_code: z.string().min(1, 'service_code is required').max(32),
  lat: z.coerce.number().min(-90).max(90),
  long: z.coerce.number().min(-180).max(180),
  address_string: text(200).optional(),
  description: text(500).optional(),
  media_url: z.string().url().max(500).optional(),
  jurisdiction_id: text(64).optional(),
  device_id: text(128).optional(),
  account_id: text(128).optional(),
  email: text(200).optional(),
  first_name: text(100).optional(),
  last_name: text(100).optional(),
  phone: text(50).optional(),
});

const w3cDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a W3C date-time, e.g. 2026-11-01T00:00:00+08:00')
  .transform((v) => new Date(v));

export const open311QuerySchema = z.object({
  service_request_id: z.string().max(2000).optional(),
  service_code: z.string().max(500).optional(),
  start_date: w3cDate.optional(),
  end_date: w3cDate.optional(),
  status: z
    .string()
    .regex(/^(open|closed)(,(open|closed))?$/, 'status must be open, closed or open,closed')
    .optional(),
  jurisdiction_id: z.string().max(64).optional(),
  api_key: z.string().max(200).optional(),
});
