import type { UpdateQuery } from 'mongoose';
import { Types } from 'mongoose';
import { canTransition, nextState, shanghaiDay, type ActorRole, type CaseAction, type CaseFlags, type CaseState } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, conflict, notFound } from '../core/errors';
import type { EffectRelay } from './effects';
import type { AnyCaseEventData } from './events';
import { dimsOf, effectId, getCaseModel, NO_DEADLINE, takeCaseNos, type CaseDoc, type CaseEvent } from './models';
import { GroupCommit, outcomesOf, unorderedBulk } from '../core/group-commit';

export interface Actor {
  role: ActorRole;
  /** Citizen or staff id, or null for machines. */
  id: string | null;
}

/** The case fields a transition may change besides its state: nothing else can be written through it. */
export type CaseChanges = Partial<
  Pick<
    CaseDoc,
    | 'categoryId'
    | 'categoryName'
    | 'family'
    | 'majorCode'
    | 'filedAt'
    | 'departmentId'
    | 'dispatchedAt'
    | 'rejectReason'
    | 'duplicateOf'
    | 'postponeRequest'
    | 'deadline'
    | 'dueAt'
    | 'afterPhotoIds'
    | 'handledAt'
    | 'closedAt'
    | 'reopenRequest'
    | 'forwarding'
    | 'rating'
  >
>;

/** Changes that are not state transitions (no event, no effects), each guarded by its own condition. */
export type CaseAnnotation =
  /** The reporter corrects the description while the report awaits screening. */
  | { kind: 'description'; reporterId: string; description: string }
  /** The forwarding record of a case forwarded by hand, written once. */
  | { kind: 'forwarding-target'; record: NonNullable<CaseDoc['forwarding']> }
  /** The external platform accepted the delivery (with its id for the case, if it gave one). */
  | { kind: 'forwarding-delivered'; targetId: string; deliveredAt: Date; externalId: string | null }
  /** WeChat found one of its photos risky: hidden, and the case marked for an operator. */
  | { kind: 'photo-flagged'; photoId: string }
  /** Its reporter shares the closed case (before/after, anonymised). */
  | { kind: 'shared'; reporterId: string; at: Date };

export interface TransitionRequest {
  action: CaseAction;
  actor: Actor;
  /** The version the caller saw; a different current version is a 409 (someone acted first). */
  expectedVersion?: number;
  publicNote?: string | null;
  internalNote?: string | null;
  photoIds?: string[];
  /** Further fields changed in the same atomic update (only these; counters follow from the action). */
  set?: CaseChanges;
  /** For external_update: the state the external platform reported. */
  externalTarget?: CaseState;
  /** The event's data, typed by action in events.ts. */
  data?: AnyCaseEventData;
}

/** What a new case is made of, whichever way it came in (citizen report, Open311…). */
export type NewCase = Pick<
  CaseDoc,
  | 'source'
  | 'reporterId'
  | 'clientRequestId'
  | 'idempotencyKey'
  | 'anonymous'
  | 'campaignId'
  | 'categoryId'
  | 'categoryName'
  | 'family'
  | 'majorCode'
  | 'description'
  | 'address'
  | 'location'
  | 'gridId'
  | 'streetId'
  | 'districtId'
  | 'photoIds'
> & { open311Client?: string | null };

/**
 * A new case as it is stored, with its submit event: every field of the case schema, defaults included. Built
 * directly rather than through a mongoose document: hydrating and validating one cost about
 * a sixth of a submission's CPU. The fields are typed and come from validated input; a test
 * (api/test/case-documents.test.ts) checks that this is exactly what the schema builds, and valid.
 */
export function newCaseDocument(
  fields: NewCase,
  init: { _id: Types.ObjectId; caseNo: string; actor: Actor; publicNote: string | null; effects: string[]; now: Date },
): CaseDoc {
  const submitted: CaseEvent = {
    seq: 1,
    action: 'submit',
    from: null,
    to: 'pending',
    at: init.now,
    actorRole: init.actor.role,
    actorId: init.actor.id,
    publicNote: init.publicNote,
    internalNote: null,
    photoIds: fields.photoIds,
    data: null,
    dims: dimsOf({ ...fields, departmentId: null, deadline: null }),
  };
  const doc: CaseDoc & { __v: number } = {
    _id: init._id,
    caseNo: init.caseNo,
    source: fields.source,
    reporterId: fields.reporterId ?? null,
    open311Client: fields.open311Client ?? null,
    clientRequestId: fields.clientRequestId ?? null,
    idempotencyKey: fields.idempotencyKey,
    anonymous: fields.anonymous ?? false,
    campaignId: fields.campaignId ?? null,
    categoryId: fields.categoryId,
    categoryName: fields.categoryName,
    family: fields.family,
    majorCode: fields.majorCode,
    description: fields.description ?? '',
    address: fields.address ?? null,
    location: { lat: fields.location.lat, lng: fields.location.lng },
    gridId: fields.gridId,
    streetId: fields.streetId,
    districtId: fields.districtId,
    photoIds: [...fields.photoIds],
    afterPhotoIds: [],
    flaggedPhotoIds: [],
    sharedAt: null,
    state: 'pending',
    version: 1,
    events: [submitted],
    effects: init.effects,
    supporterIds: [],
    supporterCount: 0,
    departmentId: null,
    deadline: null,
    dueAt: NO_DEADLINE,
    filedAt: null,
    dispatchedAt: null,
    handledAt: null,
    closedAt: null,
    reworkCount: 0,
    postponeRequest: null,
    reopenRequest: null,
    rejectReason: null,
    duplicateOf: null,
    rating: null,
    forwarding: null,
    createdAt: init.now,
    updatedAt: init.now,
    __v: 0,
  };
  return doc;
}

export function caseFlags(doc: CaseDoc, reporterMayConfirm: boolean): CaseFlags {
  return {
    postponeRequested: !!doc.postponeRequest,
    reopenRequested: !!doc.reopenRequest,
    reporterMayConfirm: reporterMayConfirm && doc.source !== 'staff',
    rated: !!doc.rating,
  };
}

/**
 * The only way a case changes state. Each transition is checked against the shared
 * state machine and the actor's role, appended to the case's event log and queued
 * with its effects, all in one single-document update guarded by the case version.
 */
export class CaseWorkflow {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly relay: EffectRelay,
    private readonly options: { reporterMayConfirm: boolean },
  ) {}

  private get Case() {
    return getCaseModel(this.ctx.db);
  }

  private effectsFor(caseId: Types.ObjectId, seq: number): string[] {
    return this.relay.types().map((type) => effectId(caseId, seq, type));
  }

  async create(fields: NewCase, actor: Actor, publicNote: string | null = null): Promise<CaseDoc> {
    const now = this.ctx.clock.now();
    const _id = new Types.ObjectId();
    const caseNo = await this.numbering.submit(shanghaiDay(now));
    const doc = newCaseDocument(fields, { _id, caseNo, actor, publicNote, effects: this.effectsFor(_id, 1), now });
    await this.inserting.submit(doc);
    // The effects are stored with the case, so they are safe before they run: the reporter
    // gets the answer without waiting for them (a failure is retried by the sweep).
    await this.relay.drainLater(doc);
    return doc;
  }

  /** Case numbers for the cases being created together: one counter update per day for all of them. */
  private readonly numbering = new GroupCommit<string, string>(async (days) => {
    const outcomes: PromiseSettledResult<string>[] = new Array(days.length);
    await Promise.all(
      [...new Set(days)].map(async (day) => {
        const indexes = days.flatMap((d, i) => (d === day ? [i] : []));
        try {
          const numbers = await takeCaseNos(this.ctx.db, day, indexes.length);
          indexes.forEach((i, k) => (outcomes[i] = { status: 'fulfilled', value: numbers[k]! }));
        } catch (reason) {
          indexes.forEach((i) => (outcomes[i] = { status: 'rejected', reason }));
        }
      }),
    );
    return outcomes;
  });

  /**
   * New cases, validated by the schema, inserted together. A duplicate idempotency key fails
   * only its own case (code 11000, as a single insert would), so a raced submission finds the first.
   */
  private readonly inserting = new GroupCommit<CaseDoc>(async (docs) => {
    const errors = await unorderedBulk(docs.length, () => this.Case.collection.insertMany(docs, { ordered: false }));
    return outcomesOf(errors);
  });

  async get(caseId: string): Promise<CaseDoc> {
    if (!Types.ObjectId.isValid(caseId)) throw notFound('案件不存在');
    const doc = await this.Case.findById(caseId).lean<CaseDoc>();
    if (!doc) throw notFound('案件不存在');
    return doc;
  }

  /**
   * Applies one transition. With `expectedVersion` (a person acting on what they saw) a
   * concurrent change is a 409; without it (machines, commutative actions like backing a
   * case) the transition is re-checked against the fresh case and retried a few times.
   */
  async transition(caseId: string, req: TransitionRequest): Promise<CaseDoc> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.transitionOnce(caseId, req);
      } catch (err) {
        const raced = err instanceof ApiError && err.code === 'CONFLICT' && req.expectedVersion === undefined;
        if (!raced || attempt >= 5) throw err;
      }
    }
  }

  /** Adds a backer to an open case once (the case's own reporter never counts as a backer). */
  async support(caseId: string, citizenId: string, actor: Actor): Promise<CaseDoc> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(caseId);
      if (current.supporterIds.includes(citizenId) || current.reporterId === citizenId) return current;
      try {
        return await this.transitionOnce(caseId, {
          action: 'support',
          actor,
          expectedVersion: current.version,
          data: { citizenId },
        });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'CONFLICT') || attempt >= 5) throw err;
      }
    }
  }

  private async transitionOnce(caseId: string, req: TransitionRequest): Promise<CaseDoc> {
    const current = await this.get(caseId);
    if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) {
      throw conflict('CONFLICT', '案件已被他人处理，请刷新后重试', [{ field: 'version', issue: `current version is ${current.version}` }]);
    }
    const flags = caseFlags(current, this.options.reporterMayConfirm);
    if (!canTransition(req.action, current.state as CaseState, req.actor.role, flags)) {
      throw new ApiError(409, 'ILLEGAL_TRANSITION', undefined, [
        { field: 'action', issue: `${req.action} is not allowed for ${req.actor.role} in state ${current.state}` },
      ]);
    }
    let to: CaseState;
    try {
      to = nextState(req.action, current.state as CaseState, req.externalTarget);
    } catch (err) {
      throw new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field: 'status', issue: (err as Error).message }]);
    }

    const now = this.ctx.clock.now();
    const seq = current.events.length ? current.events[current.events.length - 1]!.seq + 1 : 1;
    const event: CaseEvent = {
      seq,
      action: req.action,
      from: current.state,
      to,
      at: now,
      actorRole: req.actor.role,
      actorId: req.actor.id,
      publicNote: req.publicNote ?? null,
      internalNote: req.internalNote ?? null,
      photoIds: req.photoIds ?? [],
      data: (req.data as Record<string, unknown> | undefined) ?? null,
      dims: dimsOf({ ...current, ...(req.set as Partial<CaseDoc>) }),
    };
    // Counters and lists that follow from the action itself.
    const supporter = req.action === 'support' && req.data && 'citizenId' in req.data ? req.data.citizenId : undefined;
    const update: UpdateQuery<CaseDoc> = {
      $set: { ...req.set, state: to, updatedAt: now },
      $inc: { version: 1, ...(req.action === 'verify_fail' ? { reworkCount: 1 } : {}), ...(supporter ? { supporterCount: 1 } : {}) },
      $push: { ...(supporter ? { supporterIds: supporter } : {}), events: event, effects: { $each: this.effectsFor(current._id, seq) } },
    };
    const updated = await this.Case.findOneAndUpdate({ _id: current._id, version: current.version }, update, {
      returnDocument: 'after',
    }).lean<CaseDoc>();
    if (!updated) throw conflict('CONFLICT', '案件已被他人处理，请刷新后重试');
    await this.relay.drainCase(updated);
    return updated;
  }

  /**
   * Writes a change that is not a transition (see CaseAnnotation). Bumps the version, so
   * a person acting on what they saw before it gets a 409. Null when its guard failed.
   */
  async annotate(caseId: string, annotation: CaseAnnotation): Promise<CaseDoc | null> {
    if (!Types.ObjectId.isValid(caseId)) return null;
    const _id = new Types.ObjectId(caseId);
    const bump = { $inc: { version: 1 } };
    const updatedAt = this.ctx.clock.now();
    let filter: Record<string, unknown>;
    let set: Record<string, unknown> = {};
    let addToSet: Record<string, unknown> | undefined;
    switch (annotation.kind) {
      case 'description':
        filter = { _id, reporterId: annotation.reporterId, state: 'pending' };
        set = { description: annotation.description };
        break;
      case 'forwarding-target':
        filter = { _id, forwarding: null };
        set = { forwarding: annotation.record };
        break;
      case 'forwarding-delivered':
        filter = { _id, 'forwarding.targetId': annotation.targetId };
        set = {
          'forwarding.deliveredAt': annotation.deliveredAt,
          ...(annotation.externalId ? { 'forwarding.externalId': annotation.externalId } : {}),
        };
        break;
      case 'photo-flagged':
        filter = { _id };
        addToSet = { flaggedPhotoIds: annotation.photoId };
        break;
      case 'shared':
        filter = { _id, reporterId: annotation.reporterId, state: 'closed' };
        set = { sharedAt: annotation.at };
        break;
    }
    const update = { $set: { ...set, updatedAt }, ...(addToSet ? { $addToSet: addToSet } : {}), ...bump };
    return this.Case.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<CaseDoc>();
  }
}
