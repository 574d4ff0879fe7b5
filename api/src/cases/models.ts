import { Schema, type Connection, type InferSchemaType, type Model, Types } from 'mongoose';
import { CASE_SOURCES, CASE_STATES, REJECT_REASONS } from '@ssp/shared';

export const NO_DEADLINE = new Date('9999-12-31T00:00:00Z');

/** One entry of a case's event log: every transition, appended in the same update as the state change. */
const caseEventSchema = new Schema(
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
     * Where the case stood right after this event (category, area, department, source).
     * Statistics are counted from these, so a rebuild from the event log gives exactly
     * what the incremental counters gave, even after the case later moved on.
     */
    dims: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

/**
 * Side effects a transition owes (notify the reporter, award points, update statistics…),
 * pushed in the same single-document update as the transition so none is lost, and
 * removed by the effect relay once handled. Handlers are idempotent by effect id.
 */
const caseEffectSchema = new Schema(
  {
    id: { type: String, required: true },
    type: { type: String, required: true },
    data: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
  },
  { _id: false },
);

const caseSchema = new Schema(
  {
    caseNo: { type: String, required: true, unique: true },
    source: { type: String, enum: CASE_SOURCES, required: true },
    reporterId: { type: String, default: null },
    clientRequestId: { type: String, default: null },
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

    state: { type: String, enum: CASE_STATES, required: true },
    version: { type: Number, required: true, default: 0 },
    events: { type: [caseEventSchema], default: [] },
    effects: { type: [caseEffectSchema], default: [] },

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
    /** The reporter allowed their nickname and phone to go to an external platform the case is forwarded to. */
    shareContact: { type: Boolean, default: false },
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

caseSchema.index({ reporterId: 1, clientRequestId: 1 }, { unique: true, partialFilterExpression: { clientRequestId: { $type: 'string' } } });
caseSchema.index({ reporterId: 1, createdAt: -1 });
caseSchema.index({ supporterIds: 1 });
caseSchema.index({ categoryId: 1, state: 1, createdAt: -1 });
caseSchema.index({ state: 1, dueAt: 1, _id: 1 });
caseSchema.index({ departmentId: 1, state: 1, dueAt: 1 });

export type CaseDoc = InferSchemaType<typeof caseSchema> & { _id: Types.ObjectId };

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
}

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
  };
}
export type CaseEvent = InferSchemaType<typeof caseEventSchema>;
export type CaseEffect = InferSchemaType<typeof caseEffectSchema>;

export function getCaseModel(db: Connection): Model<CaseDoc> {
  return (db.models.Case as Model<CaseDoc>) ?? db.model<CaseDoc>('Case', caseSchema);
}

const counterSchema = new Schema({ _id: String, seq: Number }, { collection: 'counters', versionKey: false });

/** Readable case numbers (e.g. 20261122-00042), from one atomic counter per day. */
export async function nextCaseNo(db: Connection, at: Date): Promise<string> {
  const Counter = (db.models.Counter as Model<{ _id: string; seq: number }>) ?? db.model('Counter', counterSchema);
  const day = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
  const counter = await Counter.findOneAndUpdate({ _id: `case:${day}` }, { $inc: { seq: 1 } }, { upsert: true, new: true });
  return `${day}-${String(counter.seq).padStart(5, '0')}`;
}
