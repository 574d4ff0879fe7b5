import type { ServiceContext } from '../context';
import { getCitizenModel } from '../auth/models';
import { Outbox, type DeliveryOutcome, type OutboxMessage } from '../core/outbox';
import type { CaseDoc, CaseEvent, CaseEffect } from '../cases/models';
import { caseStatusTemplateData, shouldNotify } from './messages';
import { pageRoute, type CaseState, type CaseAction, type RejectReason } from '@ssp/shared';

export interface SubscribeMessage {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
}

/** What the outbox needs from WeChat; errors carry WeChat's numeric errcode. */
export interface SubscribeMessageSender {
  sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
}

export interface NotificationPayload {
  citizenId: string;
  template: 'caseStatus' | 'campaign';
  page: string;
  data: Record<string, { value: string }>;
}

/** WeChat errcodes after which a retry cannot help: not subscribed, bad openid, bad template data. */
const PERMANENT_ERRCODES = new Set([43101, 40003, 47003, 40037]);

/**
 * Citizen notifications as WeChat subscribe messages, through a durable outbox.
 * A message the user has not subscribed to (43101) is dropped, not retried.
 */
export class NotificationService {
  readonly outbox: Outbox<NotificationPayload>;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly sender: SubscribeMessageSender,
  ) {
    this.outbox = new Outbox<NotificationPayload>(ctx.db, {
      collection: 'notification_outbox',
      clock: ctx.clock,
      logger: ctx.logger,
      deliver: (message) => this.deliver(message),
      // Backoff 2 s doubling to 30 min: 16 attempts ride out a WeChat outage of about 3.5 hours.
      maxAttempts: 16,
    });
  }

  /** Case-event subscriber: queues a status message for the reporter of the case. */
  async onCaseEvent(caseDoc: CaseDoc, event: CaseEvent, effect: CaseEffect): Promise<void> {
    if (!shouldNotify(event.action) || !caseDoc.reporterId || caseDoc.source === 'open311') return;
    await this.enqueue(`${effect.id}:${caseDoc.reporterId}`, {
      citizenId: caseDoc.reporterId,
      template: 'caseStatus',
      page: pageRoute('reportDetail', { id: String(caseDoc._id) }),
      data: caseStatusTemplateData({
        caseNo: caseDoc.caseNo,
        categoryName: caseDoc.categoryName,
        state: event.to as CaseState,
        action: event.action as CaseAction,
        at: event.at,
        rejectReason: caseDoc.rejectReason as RejectReason | null,
        publicNote: event.publicNote,
      }),
    });
  }

  async enqueue(key: string, payload: NotificationPayload): Promise<void> {
    await this.outbox.enqueue(key, payload.template, payload);
  }

  private async deliver(message: OutboxMessage<NotificationPayload>): Promise<DeliveryOutcome> {
    const { citizenId, template, page, data } = message.payload;
    const templateId = this.ctx.config.wechat.templates[template];
    if (!templateId) return { outcome: 'drop', reason: `no template configured for ${template}` };
    const citizen = await getCitizenModel(this.ctx.db).findById(citizenId).lean<{ openid?: string | null }>();
    if (!citizen?.openid) return { outcome: 'drop', reason: 'citizen has no WeChat openid' };
    try {
      await this.sender.sendSubscribeMessage({ touser: citizen.openid, templateId, page, data });
      return { outcome: 'sent' };
    } catch (err) {
      const errcode = (err as { errcode?: number }).errcode;
      if (errcode !== undefined && PERMANENT_ERRCODES.has(errcode)) {
        return { outcome: 'drop', reason: `wechat errcode ${errcode}` };
      }
      return { outcome: 'retry', error: (err as Error).message };
    }
  }
}
