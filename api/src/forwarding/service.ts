import { Types } from 'mongoose';
import type { Logger } from 'pino';
import {
  EXTERNAL_STATUS_NAMES_ZH,
  FORWARD_HEADERS,
  FORWARD_TIMESTAMP_TOLERANCE_SECONDS,
  forwardingCallbackSchema,
  matchForwardingRule,
  type CaseState,
  type ExternalStatus,
  type ForwardedCase,
  type ForwardingAdminView,
  type ForwardingCallback,
  type ForwardingCallbackResult,
  type ForwardingConfig,
  type ForwardingDelivery,
  type ForwardingTarget,
  type ForwardingTargetList,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, parseInput, validationFailed } from '../core/errors';
import { Outbox, type DeliveryOutcome, type OutboxMessage } from '../core/outbox';
import type { AuthService } from '../auth/service';
import { getCaseModel, type CaseDoc, type CaseEffect } from '../cases/models';
import type { CaseEventMessage, CaseView } from '../cases/events';
import type { CaseWorkflow } from '../cases/workflow';
import { getForwardingEventModel } from './models';
import { signBody, verifySignature } from './signature';
import { isDuplicateKeyError } from '../db';

/** One case to deliver to one target; the payload is built at delivery time from the current case. */
export interface ForwardMessage {
  caseId: string;
  targetId: string;
}

/** What the callback route hands over: the headers that authenticate it and the exact body. */
export interface CallbackRequest {
  targetId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The body text as received (undefined when it was not JSON). */
  rawBody: string | undefined;
  body: unknown;
  log?: Logger;
}

const SYSTEM = { role: 'system', id: null } as const;
const MIN_SECRET_LENGTH = 16;
/** With backoff capped at 30 minutes, about a week of outage before a delivery is marked failed. */
const MAX_ATTEMPTS = 350;
/** How long a received callback event is considered in flight before another copy may take it over. */
const CLAIM_TIMEOUT_MS = 60_000;

/**
 * How an external status lands on our case. Intermediate statuses keep the case
 * 'forwarded' (the platform still owns it, and only a forwarded case takes external
 * updates); 办结 closes it and 退回 ends it as rejected.
 */
const STATUS_EFFECT: Record<ExternalStatus, { to: CaseState; handled: boolean; closed: boolean }> = {
  processing: { to: 'forwarded', handled: false, closed: false },
  handled: { to: 'forwarded', handled: true, closed: false },
  closed: { to: 'closed', handled: true, closed: true },
  rejected: { to: 'rejected', handled: false, closed: false },
};

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed';
}

function categoryCode(categoryId: string): string {
  return /^[CE](\d{4,5})$/.exec(categoryId)?.[1] ?? categoryId;
}

/**
 * Hands filed cases to external official platforms (12345, the city's 数字城管
 * platform…) instead of dispatching them here, and takes their status back.
 * Targets and rules come from the city data (forwarding.json); deliveries go through
 * a durable outbox and are signed; the receiver dedupes by Idempotency-Key.
 */
export class ForwardingService {
  readonly outbox: Outbox<ForwardMessage>;
  private readonly config: ForwardingConfig | null;
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    /** forwarding.json of the city profile; null: forwarding is off. */
    config: ForwardingConfig | null,
    /** The reporter's contact (only with their consent), from the auth domain. */
    private readonly citizens: Pick<AuthService, 'citizenContacts'>,
  ) {
    this.config = config;
    for (const target of this.config?.targets ?? []) {
      const secret = process.env[target.secretEnv];
      if (secret && secret.length >= MIN_SECRET_LENGTH) this.secrets.set(target.id, secret);
      else {
        ctx.logger.warn(
          { targetId: target.id, secretEnv: target.secretEnv },
          `forwarding target has no usable secret (set ${target.secretEnv}, at least ${MIN_SECRET_LENGTH} characters); its deliveries wait and its callbacks are refused`,
        );
      }
    }
    this.outbox = new Outbox<ForwardMessage>(ctx.db, {
      collection: 'forwarding_outbox',
      clock: ctx.clock,
      logger: ctx.logger,
      deliver: (message) => this.deliver(message),
      maxAttempts: MAX_ATTEMPTS,
      // Longer than the longest allowed target timeout, so a slow delivery is never claimed twice.
      leaseMs: 120_000,
    });
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  private target(id: string): ForwardingTarget | undefined {
    return this.config?.targets.find((t) => t.id === id);
  }

  /** A configured target, or a 400 naming `field` (for a desk's manual forward). */
  requireTarget(targetId: string, field = 'targetId'): ForwardingTarget {
    const target = this.target(targetId);
    if (!target) throw validationFailed([{ field, issue: this.enabled ? `unknown forwarding target ${targetId}` : 'forwarding is not configured' }]);
    return target;
  }

  /** The targets staff may forward to (no URLs, no secrets). */
  targetList(): ForwardingTargetList {
    return { enabled: this.enabled, targets: (this.config?.targets ?? []).map((t) => ({ id: t.id, name: t.name })) };
  }

  /** The target the rules send this case to, if any. */
  matchTarget(doc: Pick<CaseDoc, 'categoryId' | 'districtId' | 'streetId'>): ForwardingTarget | null {
    const rule = this.config ? matchForwardingRule(this.config.rules, doc) : null;
    return rule ? (this.target(rule.targetId) ?? null) : null;
  }

  // ------------------------------------------------------------ case effects

  /** Case-event subscriber: forwards matching cases once filed, and queues the delivery of every forward. */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, _effect: CaseEffect): Promise<void> {
    if (event.action === 'file') await this.autoForward(view, event);
    else if (event.action === 'forward') await this.queueDelivery(view, event);
  }

  private forwardingRecord(targetId: string, auto: boolean, at: Date) {
    return { targetId, targetName: this.target(targetId)?.name ?? null, at, auto, externalId: null, deliveredAt: null };
  }

  private async autoForward(view: CaseView, event: CaseEventMessage): Promise<void> {
    const target = this.matchTarget(view);
    if (!target) return;
    const current = await this.workflow.get(event.caseId);
    const last = current.events[current.events.length - 1];
    // Someone acted since this filing (dispatched, forwarded, re-filed…): nothing to do.
    if (current.state !== 'filed' || last?.seq !== event.seq) return;
    await this.workflow.transition(String(current._id), {
      action: 'forward',
      actor: SYSTEM,
      expectedVersion: current.version,
      publicNote: `已转交${target.name}办理`,
      data: { targetId: target.id, auto: true },
      set: { forwarding: this.forwardingRecord(target.id, true, this.ctx.clock.now()) },
    });
  }

  private async queueDelivery(view: CaseView, event: CaseEventMessage & { action: 'forward' }): Promise<void> {
    const targetId = event.data?.targetId ?? view.forwarding?.targetId;
    const caseId = event.caseId;
    if (!targetId) {
      this.ctx.logger.error({ caseId, seq: event.seq }, 'forwarded case names no target; nothing to deliver');
      return;
    }
    if (!view.forwarding) {
      // A desk's manual forward carries only the target: record it on the case once.
      await this.workflow.annotate(caseId, { kind: 'forwarding-target', record: this.forwardingRecord(targetId, false, event.at) });
    }
    await this.outbox.enqueue(`forward:${caseId}:${targetId}`, 'forward', { caseId, targetId });
  }

  // ------------------------------------------------------------ delivery

  private async payloadFor(doc: CaseDoc, idempotencyKey: string): Promise<ForwardedCase> {
    const base = this.ctx.config.publicBaseUrl;
    const payload: ForwardedCase = {
      caseId: String(doc._id),
      caseNo: doc.caseNo,
      idempotencyKey,
      category: { id: doc.categoryId, code: categoryCode(doc.categoryId), name: doc.categoryName, family: doc.family, majorCode: doc.majorCode },
      location: { lat: doc.location.lat, lng: doc.location.lng, address: doc.address ?? null },
      area: { districtId: doc.districtId, streetId: doc.streetId, gridId: doc.gridId },
      description: doc.description ?? '',
      photos: doc.photoIds.map((id) => `${base}/media/${id}`),
      reportedAt: doc.createdAt.toISOString(),
      deadline: doc.deadline ? doc.deadline.toISOString() : null,
      callbackUrl: `${base}/forwarding/callback`,
    };
    // The reporter's contact leaves only with their consent.
    if (doc.shareContact === true && doc.reporterId) {
      const citizen = (await this.citizens.citizenContacts([doc.reporterId])).get(doc.reporterId);
      if (citizen) payload.reporter = { nickname: citizen.nickname, phone: citizen.phone };
    }
    return payload;
  }

  private async deliver(message: OutboxMessage<ForwardMessage>): Promise<DeliveryOutcome> {
    const { caseId, targetId } = message.payload;
    const target = this.target(targetId);
    if (!target) return { outcome: 'retry', error: `target ${targetId} is not configured in forwarding.json` };
    const secret = this.secrets.get(targetId);
    if (!secret) return { outcome: 'retry', error: `secret for target ${targetId} is not set (${target.secretEnv})` };
    const Case = getCaseModel(this.ctx.db);
    const doc = await Case.findById(caseId).lean<CaseDoc>();
    if (!doc) return { outcome: 'drop', reason: 'case no longer exists' };

    const body = JSON.stringify(await this.payloadFor(doc, message._id));
    const timestamp = Math.floor(this.ctx.clock.now().getTime() / 1000);
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          Accept: 'application/json',
          [FORWARD_HEADERS.timestamp]: String(timestamp),
          [FORWARD_HEADERS.signature]: signBody(secret, timestamp, body),
          [FORWARD_HEADERS.idempotencyKey]: message._id,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(target.timeoutMs),
      });
    } catch (err) {
      return { outcome: 'retry', error: describeFetchError(err, target.timeoutMs) };
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      let externalId: string | null = null;
      try {
        const answer = JSON.parse(text) as { externalId?: unknown };
        if (typeof answer.externalId === 'string' && answer.externalId) externalId = answer.externalId.slice(0, 128);
      } catch {
        // A 2xx without a JSON body is still an acceptance.
      }
      await this.workflow.annotate(caseId, { kind: 'forwarding-delivered', targetId, deliveredAt: this.ctx.clock.now(), externalId });
      return { outcome: 'sent', ...(externalId ? { detail: externalId } : {}) };
    }
    const error = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) return { outcome: 'retry', error };
    // Any other answer is the receiver refusing this case for good: kept for admins to requeue.
    return { outcome: 'drop', reason: `refused by the receiver: ${error}` };
  }

  // ------------------------------------------------------------ status callbacks

  private refused(log: Logger, err: ApiError, targetId: string, reason: string): ApiError {
    log.warn({ targetId: targetId.slice(0, 64), status: err.status, code: err.code, reason }, 'forwarding callback refused');
    return err;
  }

  private static hasEvent(doc: CaseDoc, targetId: string, eventId: string): boolean {
    return doc.events.some((e) => {
      const data = e.data as { targetId?: string; eventId?: string } | null;
      return e.action === 'external_update' && data?.targetId === targetId && data?.eventId === eventId;
    });
  }

  private async findCase(targetId: string, input: ForwardingCallback, log: Logger): Promise<CaseDoc> {
    const Case = getCaseModel(this.ctx.db);
    let doc: CaseDoc | null = null;
    if (input.caseId) {
      if (Types.ObjectId.isValid(input.caseId)) doc = await Case.findById(input.caseId).lean<CaseDoc>();
    } else {
      doc = await Case.findOne({ 'forwarding.externalId': input.externalId, 'forwarding.targetId': targetId }).lean<CaseDoc>();
    }
    // A case forwarded to another platform is none of this one's business.
    if (!doc || (doc.forwarding && doc.forwarding.targetId !== targetId)) {
      const field = input.caseId ? 'caseId' : 'externalId';
      throw this.refused(
        log,
        new ApiError(404, 'FORWARD_UNKNOWN_CASE', undefined, [{ field, issue: 'no case forwarded to this target' }]),
        targetId,
        `unknown case ${input.caseId ?? input.externalId}`,
      );
    }
    return doc;
  }

  /**
   * Applies a signed status callback: checks the signature (constant time) and the
   * timestamp (±5 minutes), then moves the case. A repeated eventId changes nothing;
   * a copy arriving while the first is still being applied gets 409 (send it again).
   */
  async handleCallback(req: CallbackRequest): Promise<ForwardingCallbackResult> {
    const log = req.log ?? this.ctx.logger;
    const targetId = req.targetId?.trim() ?? '';
    const target = this.target(targetId);
    const secret = target ? this.secrets.get(target.id) : undefined;
    const badSignature = () => new ApiError(401, 'FORWARD_SIGNATURE_INVALID');
    if (!target || !secret) {
      throw this.refused(log, badSignature(), targetId, target ? 'no secret configured for the target' : 'unknown target');
    }
    if (req.rawBody === undefined) {
      throw this.refused(log, new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', '请使用 application/json'), targetId, 'body is not JSON');
    }
    const timestamp = req.timestamp?.trim() ?? '';
    if (!verifySignature(secret, timestamp, req.rawBody, req.signature)) {
      throw this.refused(log, badSignature(), targetId, req.signature ? 'signature mismatch' : 'missing signature');
    }
    const nowMs = this.ctx.clock.now().getTime();
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > FORWARD_TIMESTAMP_TOLERANCE_SECONDS) {
      throw this.refused(
        log,
        new ApiError(401, 'FORWARD_TIMESTAMP_INVALID', undefined, [
          { field: FORWARD_HEADERS.timestamp, issue: `must be unix seconds within ${FORWARD_TIMESTAMP_TOLERANCE_SECONDS} s of the server time` },
        ]),
        targetId,
        `timestamp ${timestamp.slice(0, 20)} outside the allowed window`,
      );
    }
    let input: ForwardingCallback;
    try {
      input = parseInput(forwardingCallbackSchema, req.body);
    } catch (err) {
      throw this.refused(log, err as ApiError, targetId, 'invalid body');
    }

    const doc = await this.findCase(target.id, input, log);
    const caseId = String(doc._id);
    const duplicate = { caseId, state: doc.state, duplicate: true };
    const Events = getForwardingEventModel(this.ctx.db);
    const key = `${target.id}:${input.eventId}`;
    const occurredAt = new Date(Math.min(new Date(input.occurredAt).getTime(), nowMs));
    try {
      await Events.create({
        _id: key,
        targetId: target.id,
        eventId: input.eventId,
        caseId,
        status: input.status,
        occurredAt,
        receivedAt: new Date(nowMs),
        appliedAt: null,
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const claim = await Events.findById(key).lean();
      if (claim?.appliedAt || ForwardingService.hasEvent(doc, target.id, input.eventId)) return duplicate;
      if (claim && nowMs - claim.receivedAt.getTime() < CLAIM_TIMEOUT_MS) {
        throw this.refused(
          log,
          new ApiError(409, 'CONFLICT', '该状态事件正在处理，请稍后重试'),
          target.id,
          `event ${input.eventId} is being processed`,
        );
      }
      // A claim left behind by a crash: take it over.
      await Events.updateOne({ _id: key }, { $set: { receivedAt: new Date(nowMs) } });
    }

    const effect = STATUS_EFFECT[input.status];
    const set: Record<string, unknown> = {};
    if (effect.handled && !doc.handledAt) set.handledAt = occurredAt;
    if (effect.closed) set.closedAt = occurredAt;
    let updated: CaseDoc;
    try {
      updated = await this.workflow.transition(caseId, {
        action: 'external_update',
        actor: { role: 'external', id: target.id },
        expectedVersion: doc.version,
        externalTarget: effect.to,
        publicNote: input.note || EXTERNAL_STATUS_NAMES_ZH[input.status],
        data: { targetId: target.id, eventId: input.eventId, status: input.status, occurredAt },
        set,
      });
    } catch (err) {
      // Not applied: release the claim so the platform can send the event again.
      await Events.deleteOne({ _id: key, appliedAt: null });
      if (err instanceof ApiError && err.status === 409) {
        throw this.refused(log, err, target.id, `${err.code}: case ${caseId} is ${doc.state}, cannot take "${input.status}"`);
      }
      throw err;
    }
    await Events.updateOne({ _id: key }, { $set: { appliedAt: this.ctx.clock.now() } });
    return { caseId, state: updated.state, duplicate: false };
  }

  // ------------------------------------------------------------ admin

  async adminView(): Promise<ForwardingAdminView> {
    const problems = await this.outbox.model
      .find({ $or: [{ status: { $in: ['failed', 'dropped'] } }, { status: 'pending', attempts: { $gt: 0 } }] })
      .sort({ createdAt: -1 })
      .limit(50)
      .lean<OutboxMessage<ForwardMessage>[]>();
    return {
      enabled: this.enabled,
      targets: (this.config?.targets ?? []).map((t) => ({
        id: t.id,
        name: t.name,
        url: t.url,
        timeoutMs: t.timeoutMs,
        secretEnv: t.secretEnv,
        secretConfigured: this.secrets.has(t.id),
      })),
      rules: this.config?.rules ?? [],
      counts: await this.outbox.counts(),
      problems: problems.map((m): ForwardingDelivery => ({
        key: m._id,
        caseId: m.payload.caseId,
        targetId: m.payload.targetId,
        status: m.status,
        attempts: m.attempts,
        lastError: m.lastError,
        nextAttemptAt: m.status === 'pending' ? m.nextAttemptAt.toISOString() : null,
        createdAt: m.createdAt.toISOString(),
      })),
    };
  }

  /** Requeues deliveries that ran out of retries and those the receiver refused (after the cause is fixed). */
  async retryFailed(): Promise<number> {
    const failed = await this.outbox.retryFailed();
    // The outbox marks a refusal 'dropped'; for forwarding that needs a person too, so it is requeued alike.
    const refused = await this.outbox.model.updateMany(
      { status: 'dropped' },
      { $set: { status: 'pending', attempts: 0, nextAttemptAt: this.ctx.clock.now(), lockedUntil: new Date(0), finishedAt: null } },
    );
    return failed + refused.modifiedCount;
  }
}
