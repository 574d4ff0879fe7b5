import { Types, type mongo } from 'mongoose';
import {
  ACTION_NAMES_ZH,
  DEADLINE_RUNNING_STATES,
  OPEN_CASE_STATES,
  TIME_LIMIT_UNIT_NAMES_ZH,
  addDays,
  allowedActions,
  computeDeadline,
  type ActorRole,
  type CaseAction,
  type CaseQueueQuery,
  type CaseState,
  type StaffAction,
  type StaffCaseDetail,
  type StaffCaseSummary,
  type StaffRole,
  type TimeLimit,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, forbidden, notFound } from '../core/errors';
import { keyset } from '../core/pagination';
import type { Principal } from '../auth/tokens';
import type { AuthService } from '../auth/service';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { ForwardingService } from '../forwarding/service';
import { NO_DEADLINE, getCaseModel, type CaseDoc, type CaseEffect } from './models';
import type { CaseEventMessage, CaseView } from './events';
import { caseFlags, type CaseWorkflow, type TransitionRequest } from './workflow';

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

const ACTOR_ROLE_OF: Partial<Record<StaffRole, ActorRole>> = {
  operator: 'operator',
  dispatcher: 'dispatcher',
  department: 'department',
  supervisor: 'supervisor',
};

const RUNNING_STATES = DEADLINE_RUNNING_STATES as CaseState[];

/** The first instant of an Asia/Shanghai day ("YYYY-MM-DD"). */
function shanghaiDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A case number or its beginning: `20261123-00042`, `20261123-`, `202611`. */
const CASE_NO_PREFIX = /^\d{6,8}(-\d{0,5})?$/;

/**
 * The queue's search: a case number (or its first digits) finds cases by number; other text
 * finds cases whose description or address holds every word (case-insensitive).
 */
function searchConditions(text: string): Record<string, unknown>[] {
  if (CASE_NO_PREFIX.test(text)) return [{ caseNo: { $regex: `^${escapeRegex(text)}` } }];
  return text
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 5)
    .map((word) => {
      const pattern = { $regex: escapeRegex(word), $options: 'i' };
      return { $or: [{ description: pattern }, { address: pattern }, { caseNo: pattern }] };
    });
}

/** The staff queue: soonest due first. */
const QUEUE_ORDER = keyset<CaseDoc, 'date'>('dueAt', 1, 'date');

/** The staff side of the official flow: queues, case detail, and every action of the state machine. */
export class CaseService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    private readonly catalogue: CatalogueService,
    private readonly media: MediaService,
    private readonly forwarding: ForwardingService,
    /** Staff and citizens' names, from the auth domain. */
    private readonly people: Pick<AuthService, 'staffDisplayNames' | 'getCitizen'>,
  ) {}

  private get Case() {
    return getCaseModel(this.ctx.db);
  }

  actorRole(principal: StaffPrincipal): ActorRole {
    const role = ACTOR_ROLE_OF[principal.role];
    if (!role) throw forbidden('该角色不参与案件办理');
    return role;
  }

  /** Department handlers see and act on their own department's cases only. */
  private assertInScope(principal: StaffPrincipal, doc: CaseDoc): void {
    if (principal.role === 'department' && doc.departmentId !== principal.departmentId) throw notFound('案件不存在');
  }

  isOverdue(doc: Pick<CaseDoc, 'state' | 'deadline'>): boolean {
    return !!doc.deadline && RUNNING_STATES.includes(doc.state as CaseState) && doc.deadline.getTime() < this.ctx.clock.now().getTime();
  }

  async queue(principal: StaffPrincipal, q: CaseQueueQuery): Promise<{ items: StaffCaseSummary[]; nextCursor: string | null }> {
    this.actorRole(principal);
    const filter: Record<string, unknown> = {};
    if (q.state) filter.state = q.state;
    if (principal.role === 'department') filter.departmentId = principal.departmentId;
    else if (q.departmentId) filter.departmentId = q.departmentId;
    if (q.districtId) filter.districtId = q.districtId;
    if (q.streetId) filter.streetId = q.streetId;
    if (q.gridId) filter.gridId = q.gridId;
    if (q.categoryId) filter.categoryId = q.categoryId;
    if (q.source === 'campaign') filter.campaignId = { $ne: null };
    else if (q.source) filter.source = q.source;
    if (q.reopenRequested !== undefined) filter.reopenRequest = q.reopenRequested ? { $ne: null } : null;
    if (q.postponeRequested !== undefined) filter.postponeRequest = q.postponeRequested ? { $ne: null } : null;
    const now = this.ctx.clock.now();
    if (q.overdue === true) {
      filter.deadline = { $lt: now };
      filter.state = q.state ? (RUNNING_STATES.includes(q.state) ? q.state : '__none__') : { $in: RUNNING_STATES };
    }
    if (q.from || q.to) {
      const createdAt: Record<string, Date> = {};
      if (q.from) createdAt.$gte = shanghaiDayStart(q.from);
      if (q.to) createdAt.$lt = shanghaiDayStart(addDays(q.to, 1));
      filter.createdAt = createdAt;
    }
    if (q.q) filter.$and = searchConditions(q.q);
    Object.assign(filter, QUEUE_ORDER.after(q.cursor));
    // Through the model's collection: every value above is already of its stored type
    // (strings, dates, null), so a mongoose query would only cast them again.
    const docs = (await (this.Case.collection as unknown as mongo.Collection)
      .find(filter, { sort: QUEUE_ORDER.sort, limit: q.limit + 1, projection: { events: 0, effects: 0 } })
      .toArray()) as CaseDoc[];
    const page = QUEUE_ORDER.page(docs, q.limit);
    return { items: page.items.map((d) => this.summary(d)), nextCursor: page.nextCursor };
  }

  summary(doc: CaseDoc): StaffCaseSummary {
    return {
      id: String(doc._id),
      caseNo: doc.caseNo,
      state: doc.state as CaseState,
      source: doc.source,
      campaignId: doc.campaignId ?? null,
      categoryId: doc.categoryId,
      categoryName: doc.categoryName,
      districtId: doc.districtId,
      streetId: doc.streetId,
      gridId: doc.gridId,
      address: doc.address ?? null,
      location: { lat: doc.location.lat, lng: doc.location.lng },
      departmentId: doc.departmentId ?? null,
      deadline: doc.deadline ? doc.deadline.toISOString() : null,
      overdue: this.isOverdue(doc),
      reworkCount: doc.reworkCount,
      supporterCount: doc.supporterCount,
      postponeRequested: !!doc.postponeRequest,
      reopenRequested: !!doc.reopenRequest,
      thumbUrl: doc.photoIds[0] ? this.media.photoUrls(doc.photoIds[0]).thumbUrl : null,
      createdAt: doc.createdAt.toISOString(),
      version: doc.version,
    };
  }

  async detail(principal: StaffPrincipal, caseId: string): Promise<StaffCaseDetail> {
    const role = this.actorRole(principal);
    const doc = await this.workflow.get(caseId);
    this.assertInScope(principal, doc);
    return this.toDetail(doc, role);
  }

  private async toDetail(doc: CaseDoc, role: ActorRole): Promise<StaffCaseDetail> {
    const staffIds = [...new Set(doc.events.filter((e) => e.actorId && e.actorRole !== 'reporter').map((e) => e.actorId!))].filter((id) =>
      Types.ObjectId.isValid(id),
    );
    const names = await this.people.staffDisplayNames(staffIds);
    const reporter = doc.reporterId ? await this.people.getCitizen(doc.reporterId) : null;
    const flagged = new Set(doc.flaggedPhotoIds ?? []);
    const photo = (id: string) => ({ id, ...(flagged.has(id) ? this.media.reviewUrls(id) : this.media.photoUrls(id)) });
    const pr = doc.postponeRequest;
    return {
      ...this.summary(doc),
      description: doc.description,
      anonymous: doc.anonymous,
      reporterNickname: reporter?.nickname ?? null,
      photos: doc.photoIds.map(photo),
      flaggedPhotoIds: [...flagged],
      afterPhotos: (doc.afterPhotoIds ?? []).map(photo),
      proposedDepartments: await this.proposedDepartments(doc),
      postponeRequest: pr
        ? { at: pr.at!.toISOString(), extra: `${pr.value} ${TIME_LIMIT_UNIT_NAMES_ZH[pr.unit as TimeLimit['unit']]}`, reason: pr.reason ?? '' }
        : null,
      reopenRequest: doc.reopenRequest ? { at: doc.reopenRequest.at!.toISOString(), note: doc.reopenRequest.note ?? '' } : null,
      rejectReason: doc.rejectReason ?? null,
      duplicateOf: doc.duplicateOf ? String(doc.duplicateOf) : null,
      rating: doc.rating ? { score: doc.rating.score!, comment: doc.rating.comment ?? '' } : null,
      events: doc.events.map((e) => ({
        seq: e.seq,
        action: e.action as CaseAction,
        actionName: ACTION_NAMES_ZH[e.action as CaseAction] ?? e.action,
        from: e.from ?? null,
        to: e.to,
        at: e.at.toISOString(),
        actorRole: e.actorRole,
        actorName: e.actorId ? (names.get(e.actorId) ?? null) : null,
        publicNote: e.publicNote ?? null,
        internalNote: e.internalNote ?? null,
        photos: (e.photoIds ?? []).map(photo),
      })),
      allowedActions: allowedActions(doc.state as CaseState, role, caseFlags(doc, this.ctx.config.cases.reporterMayConfirm)),
    };
  }

  private async proposedDepartments(doc: CaseDoc): Promise<string[]> {
    return this.catalogue.proposeDepartment(doc.categoryId, { districtId: doc.districtId, streetId: doc.streetId, gridId: doc.gridId });
  }

  private async requireDepartment(departmentId: string, field = 'departmentId'): Promise<void> {
    const dept = await this.catalogue.getDepartment(departmentId);
    if (!dept) throw new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field, issue: 'unknown department' }]);
  }

  /** Applies one staff action; the caller's role and the case state decide whether it is allowed. */
  async act(principal: StaffPrincipal, caseId: string, input: StaffAction): Promise<StaffCaseDetail> {
    const role = this.actorRole(principal);
    const doc = await this.workflow.get(caseId);
    this.assertInScope(principal, doc);
    const now = this.ctx.clock.now();
    const base: TransitionRequest = {
      action: input.action as CaseAction,
      actor: { role, id: principal.userId },
      expectedVersion: input.version,
    };
    let req: TransitionRequest = base;

    switch (input.action) {
      case 'file': {
        const category = await this.catalogue.getCategory(input.categoryId ?? doc.categoryId);
        const proposed = await this.catalogue.proposeDepartment(category.id, {
          districtId: doc.districtId,
          streetId: doc.streetId,
          gridId: doc.gridId,
        });
        const departmentId = input.departmentId ?? proposed[0] ?? category.defaultDepartmentId;
        if (input.departmentId) await this.requireDepartment(input.departmentId);
        const deadline = computeDeadline(now, category.timeLimit, await this.catalogue.getCalendar());
        req = {
          ...base,
          internalNote: input.internalNote,
          set: {
            categoryId: category.id,
            categoryName: category.name,
            family: category.family,
            majorCode: category.majorCode,
            departmentId,
            filedAt: now,
            deadline,
            dueAt: deadline,
          },
        };
        break;
      }
      case 'reject':
        req = { ...base, publicNote: input.publicNote, set: { rejectReason: input.reason } };
        break;
      case 'merge': {
        if (input.duplicateOf === caseId) {
          throw new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field: 'duplicateOf', issue: 'a case cannot duplicate itself' }]);
        }
        const target = await this.Case.findById(input.duplicateOf).select({ state: 1 }).lean<{ state: string }>();
        if (!target) throw new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field: 'duplicateOf', issue: 'unknown case' }]);
        if (!OPEN_CASE_STATES.includes(target.state as CaseState)) {
          throw new ApiError(409, 'CASE_NOT_OPEN', '被合并的目标案件已办结或已关闭', [{ field: 'duplicateOf', issue: `target is ${target.state}` }]);
        }
        req = {
          ...base,
          internalNote: input.internalNote,
          data: { duplicateOf: input.duplicateOf },
          set: { rejectReason: 'duplicate', duplicateOf: new Types.ObjectId(input.duplicateOf) },
        };
        break;
      }
      case 'forward':
        this.forwarding.requireTarget(input.targetId, 'targetId');
        req = { ...base, internalNote: input.internalNote, data: { targetId: input.targetId } };
        break;
      case 'dispatch': {
        const departmentId = input.departmentId ?? doc.departmentId;
        if (!departmentId) throw new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field: 'departmentId', issue: 'required' }]);
        await this.requireDepartment(departmentId);
        req = { ...base, internalNote: input.internalNote, set: { departmentId, dispatchedAt: now } };
        break;
      }
      case 'accept_task':
        break;
      case 'return':
        // Back to the dispatcher: the returning department no longer holds it.
        req = { ...base, internalNote: input.reason, set: { postponeRequest: null, departmentId: null } };
        break;
      case 'request_postpone':
        req = {
          ...base,
          internalNote: input.reason,
          set: { postponeRequest: { at: now, value: input.extra.value, unit: input.extra.unit, reason: input.reason } },
        };
        break;
      case 'approve_postpone': {
        const pr = doc.postponeRequest;
        const start = doc.deadline && doc.deadline > now ? doc.deadline : now;
        const deadline = pr
          ? computeDeadline(start, { value: pr.value!, unit: pr.unit as TimeLimit['unit'] }, await this.catalogue.getCalendar())
          : doc.deadline;
        req = { ...base, publicNote: input.publicNote, set: { postponeRequest: null, deadline, dueAt: deadline ?? NO_DEADLINE } };
        break;
      }
      case 'deny_postpone':
        req = { ...base, internalNote: input.internalNote, set: { postponeRequest: null } };
        break;
      case 'report_handled':
        await this.media.requireOwnedPhotos(input.photoIds, { kind: 'staff', id: principal.userId }, 'photoIds');
        req = { ...base, publicNote: input.publicNote, photoIds: input.photoIds, set: { afterPhotoIds: input.photoIds, handledAt: now } };
        break;
      case 'verify_pass':
        req = { ...base, publicNote: input.publicNote, set: { closedAt: now } };
        break;
      case 'verify_fail':
        req = { ...base, internalNote: input.internalNote, set: { handledAt: null } };
        break;
      case 'accept_reopen': {
        const departmentId = input.departmentId ?? doc.departmentId;
        if (input.departmentId) await this.requireDepartment(input.departmentId);
        const category = await this.catalogue.getCategory(doc.categoryId);
        const deadline = computeDeadline(now, category.timeLimit, await this.catalogue.getCalendar());
        req = {
          ...base,
          internalNote: input.internalNote,
          set: { reopenRequest: null, closedAt: null, handledAt: null, departmentId, dispatchedAt: now, deadline, dueAt: deadline },
        };
        break;
      }
      case 'decline_reopen':
        req = { ...base, publicNote: input.publicNote, set: { reopenRequest: null } };
        break;
      case 'void':
        req = { ...base, publicNote: input.publicNote, set: { rejectReason: 'invalid' } };
        break;
    }
    const updated = await this.workflow.transition(caseId, req);
    return this.toDetail(updated, role);
  }

  /**
   * Case-event subscriber for consequences inside the case domain: a merged duplicate's
   * reporter becomes a backer of the case it duplicates (once, however often this runs).
   */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, _effect: CaseEffect): Promise<void> {
    if (event.action !== 'merge' || !view.reporterId || !view.duplicateOf) return;
    const original = await this.Case.findById(view.duplicateOf).select({ state: 1 }).lean<{ state: string }>();
    if (!original || !OPEN_CASE_STATES.includes(original.state as CaseState)) return;
    await this.workflow.support(String(view.duplicateOf), view.reporterId, { role: 'system', id: null });
  }
}
