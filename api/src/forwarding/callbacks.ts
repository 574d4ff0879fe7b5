import type { Logger } from 'pino';
import {
  EXTERNAL_STATUS_NAMES_ZH,
  FORWARD_HEADERS,
  FORWARD_TIMESTAMP_TOLERANCE_SECONDS,
  forwardingCallbackSchema,
  type CaseState,
  type ExternalStatus,
  type ForwardingCallback,
  type ForwardingCallbackResult,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { ApiError, parseInput } from '../core/errors';
import type { CaseDoc } from '../cases/models';
import { toCaseView } from '../cases/events';
import type { CaseQueries } from '../cases/queries';
import type { CaseWorkflow } from '../cases/workflow';
import { getForwardingEventModel } from './models';
import { verifySignature } from './signature';
import type { ForwardingTargets } from './targets';
import { isDuplicateKeyError } from '../db';

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

/** Status callbacks from external platforms: signed, fresh, applied once per event id. */
export class ForwardingCallbacks {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    private readonly targets: ForwardingTargets,
    private readonly cases: Pick<CaseQueries, 'byId' | 'byForwardingId'>,
  ) {}

  private refused(log: Logger, err: ApiError, targetId: string, reason: string): ApiError {
    log.warn({ targetId: targetId.slice(0, 64), status: err.status, code: err.code, reason }, 'forwarding callback refused');
    return err;
  }

  private static hasEvent(doc: CaseDoc, targetId: string, eventId: string): boolean {
    return toCaseView(doc).history.some((e) => e.action === 'external_update' && e.data?.targetId === targetId && e.data?.eventId === eventId);
  }

  private async findCase(targetId: string, input: ForwardingCallback, log: Logger): Promise<CaseDoc> {
    const doc = input.caseId ? await this.cases.byId(input.caseId) : await this.cases.byForwardingId(targetId, input.externalId!);
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
    const target = this.targets.target(targetId);
    const secret = target ? this.targets.secretOf(target.id) : undefined;
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
      if (claim?.appliedAt || ForwardingCallbacks.hasEvent(doc, target.id, input.eventId)) return duplicate;
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
}
