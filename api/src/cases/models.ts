import { Schema, type Connection, type Model, Types } from 'mongoose';
import { CASE_SOURCES, CASE_STATES, REJECT_REASONS, type CaseSource, type CaseState, type RejectReason } from '@ssp/shared';
import { isDuplicateKeyError } from '../db';

export const NO_DEADLINE = new Date('9999-12-31T00:00:00Z');

/*
 * Explicit interfaces rather than InferSchemaType: they read as documentation and keep
 * the type checker fast (inferred mongoose types over this document are very costly).
 */

export interface CaseEvent {
  seq: number;
  action: string;
  from: string | null;
  to: string;
  at: Date;
  actorRole: string;
  actorId: string | null;
  publicNote: string | null;
  internalNote: string | null;
  photoIds: string[];
  data: Record<string, unknown> | null;
  dims: CaseDims;
}

export interface CaseDims {
  categoryId: string;
  family: string;
  majorCode: string;
  districtId: string;
  streetId: string;
  gridId: string;
  departmentId: string | null;
  source: string;
  campaignId: string | null;
  /** The deadline in force right after the event (statistics judge 按期 against it). */
  deadline: Date | null;
}

export interface CaseForwarding {
  targetId: string;
  targetName: string | null;
  at: Date;
  auto: boolean;
  externalId: string | null;
  deliveredAt: Date | null;
}

export interface CaseDoc {
  _id: Types.ObjectId;
  caseNo: string;
  source: CaseSource;
  reporterId: string | null;
  open311Client: string | null;
  clientRequestId: string | null;
  idempotencyKey: string;
  anonymous: boolean;
  campaignId: string | null;
  categoryId: string;
  categoryName: string;
  family: string;
  majorCode: string;
  description: string;
  address: string | null;
  location: { lat: number; lng: number };
  gridId: string;
  streetId: string;
  districtId: string;
  photoIds: string[];
  afterPhotoIds: string[];
  /** Photos of the case WeChat's content check found risky (moderation/service.ts). */
  flaggedPhotoIds: string[];
  /** When its reporter shared the closed case (GET /shared-cases/:id shows it from then on). */
  sharedAt?: Date | null;
  state: CaseState;
  version: number;
  events: CaseEvent[];
  effects: string[];
  supporterIds: string[];
  supporterCount: number;
  departmentId: string | null;
  deadline: Date | null;
  dueAt: Date;
  filedAt: Date | null;
  dispatchedAt: Date | null;
  handledAt: Date | null;
  closedAt: Date | null;
  reworkCount: number;
  postponeRequest: { at: Date; value: number; unit: string; reason: string } | null;
  reopenRequest: { at: Date; note: string } | null;
  rejectReason: RejectReason | null;
  duplicateOf: Types.ObjectId | null;
  rating: { score: number; comment: string; at: Date } | null;
  shareContact?: boolean;
  forwarding: CaseForwarding | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One entry of a case's event log: every transition, appended in the same update as the state change. */
const caseEventSchema = new Schema<CaseEvent>(
  {
    seq: { type: Number, required: true },
    action: { type: String, required: true },
    from: { type: String, default: null },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    actorRole: { type: String, required: true },
    /** Internal: which citizen, staff member or system did it. Never shown to citizens. */
    actorId: { type: String, default: null },
    /** Shown to the reporter in the timeline. */
    publicNote: { type: String, default: null },
    /** Staff-only remark. */
    internalNote: { type: String, default: null },
    photoIds: { type: [String], default: [] },
    data: { type: Schema.Types.Mixed, default: null },
    /**
     * Where the case stood right after this event (category, area, department, source, deadline).
     * Statistics are counted from these, so a rebuild from the event log gives exactly
     * what the incremental counters gave, even after the case later moved on.
     */
    dims: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

const caseSchema = new Schema<CaseDoc>(
  {
    caseNo: { type: String, required: true, unique: true },
    source: { type: String, enum: CASE_SOURCES, required: true },
    reporterId: { type: String, default: null },
    /** For cases created through Open311: the API client (by its key's name) that sent it. */
    open311Client: { type: String, default: null },
    clientRequestId: { type: String, default: null },
    /**
     * One intent, one case: `citizen:<id>:<clientRequestId>` for reports, a fresh value
     * otherwise. A plain unique index (the local stand-in has no partial indexes) makes a
     * retried or raced submission find the first case instead of creating a second.
     */
    idempotencyKey: { type: String, required: true, unique: true },
    anonymous: { type: Boolean, default: false },
    campaignId: { type: String, default: null },

    categoryId: { type: String, required: true },
    /** Snapshot of the category's name at report time, for lists and messages. */
    categoryName: { type: String, required: true },
    family: { type: String, required: true },
    majorCode: { type: String, required: true },
    description: { type: String, default: '' },
    address: { type: String, default: null },
    location: {
      type: new Schema({ lat: { type: Number, required: true }, lng: { type: Number, required: true } }, { _id: false }),
      required: true,
    },
    gridId: { type: String, required: true },
    streetId: { type: String, required: true },
    districtId: { type: String, required: true },
    photoIds: { type: [String], default: [] },
    afterPhotoIds: { type: [String], default: [] },
    flaggedPhotoIds: { type: [String], default: [] },
    sharedAt: { type: Date, default: null },

    state: { type: String, enum: CASE_STATES, required: true },
    version: { type: Number, required: true, default: 0 },
    events: { type: [caseEventSchema], default: [] },
    /**
     * Side effects a transition owes (notify the reporter, award points, count statistics…),
     * pushed in the same single-document update as the transition so none is lost, and
     * pulled by the effect relay once handled. Each is a string `<caseId>:<seq>:<type>`
     * (plain values: a $pull by value is the simplest update every server applies alike).
     */
    effects: { type: [String], default: [] },

    supporterIds: { type: [String], default: [] },
    supporterCount: { type: Number, default: 0 },

    departmentId: { type: String, default: null },
    deadline: { type: Date, default: null },
    filedAt: { type: Date, default: null },
    dispatchedAt: { type: Date, default: null },
    handledAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    reworkCount: { type: Number, default: 0 },
    /** Deadline or, without one, the far future: the queue sort key (most urgent first). */
    dueAt: { type: Date, required: true, default: () => NO_DEADLINE },
    postponeRequest: {
      type: new Schema({ at: Date, value: Number, unit: String, reason: String }, { _id: false }),
      default: null,
    },
    reopenRequest: { type: new Schema({ at: Date, note: String }, { _id: false }), default: null },
    rejectReason: { type: String, enum: [...REJECT_REASONS, null], default: null },
    duplicateOf: { type: Types.ObjectId, default: null },
    rating: { type: new Schema({ score: Number, comment: String, at: Date }, { _id: false }), default: null },
    /** True when the reporter allowed their nickname and phone to go to an external platform the case is forwarded to; absent means no. */
    shareContact: { type: Boolean },
    /** Set when the case is handed to an external official platform (see api/src/forwarding). */
    forwarding: {
      type: new Schema(
        {
          targetId: { type: String, required: true },
          targetName: { type: String, default: null },
          at: { type: Date, required: true },
          auto: { type: Boolean, default: false },
          /** The receiver's own id for the case, from its answer to the delivery. */
          externalId: { type: String, default: null, index: true },
          deliveredAt: { type: Date, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
    // Set from the service clock (not mongoose timestamps) so tests can move time.
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'cases' },
);

caseSchema.index({ reporterId: 1, createdAt: -1 });
caseSchema.index({ supporterIds: 1 });
caseSchema.index({ categoryId: 1, state: 1, createdAt: -1 });
// The staff queues (api/src/cases/service.ts: sorted by deadline, then _id): all cases, by state, by department.
caseSchema.index({ dueAt: 1, _id: 1 });
caseSchema.index({ state: 1, dueAt: 1, _id: 1 });
caseSchema.index({ departmentId: 1, state: 1, dueAt: 1 });
caseSchema.index({ departmentId: 1, dueAt: 1, _id: 1 });
// Listings newest first (the statistics drill-down, Open311); the name is kept from when statistics created it.
caseSchema.index({ createdAt: -1, _id: -1 }, { name: 'stats_drilldown' });
// The effect relay's sweep for cases that still owe effects (api/src/cases/effects.ts): only those are in it.
caseSchema.index({ 'effects.0': 1 }, { sparse: true });

export function dimsOf(doc: Pick<CaseDoc, keyof CaseDims>): CaseDims {
  return {
    categoryId: doc.categoryId,
    family: doc.family,
    majorCode: doc.majorCode,
    districtId: doc.districtId,
    streetId: doc.streetId,
    gridId: doc.gridId,
    departmentId: doc.departmentId ?? null,
    source: doc.source,
    campaignId: doc.campaignId ?? null,
    deadline: doc.deadline ?? null,
  };
}
/** One pending effect, as subscribers receive it. Handlers are idempotent by `id`. */
export interface CaseEffect {
  id: string;
  type: string;
  data: { seq: number };
}

export function effectId(caseId: string | Types.ObjectId, seq: number, type: string): string {
  return `${String(caseId)}:${seq}:${type}`;
}

export function parseEffect(id: string): CaseEffect {
  const [, seq, type] = id.split(':');
  return { id, type: type ?? '', data: { seq: Number(seq) } };
}

export function getCaseModel(db: Connection): Model<CaseDoc> {
  return (db.models.Case as Model<CaseDoc>) ?? db.model<CaseDoc>('Case', caseSchema);
}

const counterSchema = new Schema({ _id: String, seq: Number }, { collection: 'counters', versionKey: false });

/**
 * Readable case numbers (e.g. 20261122-00042), from one atomic counter per day: takes
 * `count` consecutive numbers of the day at once and returns them.
 */
export async function takeCaseNos(db: Connection, day: string, count: number): Promise<string[]> {
  const Counter = (db.models.Counter as Model<{ _id: string; seq: number }>) ?? db.model('Counter', counterSchema);
  const compact = day.replace(/-/g, '');
  const bump = () => Counter.findOneAndUpdate({ _id: `case:${compact}` }, { $inc: { seq: count } }, { upsert: true, returnDocument: 'after' });
  // Two first cases of a day can race to create the counter: the loser retries and increments.
  const counter = await bump().catch((err: unknown) => (isDuplicateKeyError(err) ? bump() : Promise.reject(err)));
  return Array.from({ length: count }, (_, i) => `${compact}-${String(counter.seq - count + 1 + i).padStart(5, '0')}`);
}
