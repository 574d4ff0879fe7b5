import { FORWARD_HEADERS, type ForwardedCase, type ForwardingAdminView, type ForwardingDelivery } from '@ssp/shared';
import type { ServiceContext } from '../context';
import { Outbox, type DeliveryOutcome, type OutboxMessage } from '../core/outbox';
import type { AuthService } from '../auth/service';
import type { CaseDoc } from '../cases/models';
import type { CaseQueries } from '../cases/queries';
import type { CaseWorkflow } from '../cases/workflow';
import { signBody } from './signature';
import type { ForwardingTargets } from './targets';

/** One case to deliver to one target; the payload is built at delivery time from the current case. */
export interface ForwardMessage {
  caseId: string;
  targetId: string;
}

/** With backoff capped at 30 minutes, about a week of outage before a delivery is marked failed. */
const MAX_ATTEMPTS = 350;

function describeFetchError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed';
}

function categoryCode(categoryId: string): string {
  return /^[CE](\d{4,5})$/.exec(categoryId)?.[1] ?? categoryId;
}

/**
 * Delivering forwarded cases: a durable outbox whose messages are built at delivery time
 * from the current case, signed, and sent with an Idempotency-Key the receiver dedupes by;
 * the outbox as administrators see it, and requeueing what failed.
 */
export class ForwardingSender {
  readonly outbox: Outbox<ForwardMessage>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    private readonly targets: ForwardingTargets,
    /** The reporter's contact (only with their consent), from the auth domain. */
    private readonly citizens: Pick<AuthService, 'citizenContacts'>,
    private readonly cases: Pick<CaseQueries, 'byId'>,
  ) {
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
    const target = this.targets.target(targetId);
    if (!target) return { outcome: 'retry', error: `target ${targetId} is not configured in forwarding.json` };
    const secret = this.targets.secretOf(targetId);
    if (!secret) return { outcome: 'retry', error: `secret for target ${targetId} is not set (${target.secretEnv})` };
    const doc = await this.cases.byId(caseId);
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

  async adminView(): Promise<ForwardingAdminView> {
    const problems = await this.outbox.model
      .find({ $or: [{ status: { $in: ['failed', 'dropped'] } }, { status: 'pending', attempts: { $gt: 0 } }] })
      .sort({ createdAt: -1 })
      .limit(50)
      .lean<OutboxMessage<ForwardMessage>[]>();
    return {
      ...this.targets.adminView(),
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
