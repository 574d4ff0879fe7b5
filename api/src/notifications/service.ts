import type { ServiceContext } from '../context';
import type { AuthService } from '../auth/service';
import { Outbox, type DeliveryOutcome, type OutboxMessage } from '../core/outbox';
import type { CaseEffect } from '../cases/models';
import type { CaseQueries } from '../cases/queries';
import type { CaseEventMessage, CaseView } from '../cases/events';
import { caseStatusTemplateData, closesCase, inboxTextOf, shouldNotify, wechatPurposeOf } from './messages';
import { Inbox, type NewMessage } from './inbox';
import { SubscriptionQuotas } from './subscriptions';
import { pageRoute, type CaseState, type CaseAction, type RejectReason, type SubscribePurpose } from '@ssp/shared';

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
  /** Which configured template carries it. */
  template: SubscribePurpose;
  page: string;
  data: Record<string, { value: string }>;
  /** A rating reminder: sent only if this case is still closed and unrated when it is due. */
  unlessRatedCaseId?: string;
}

/** WeChat errcodes after which a retry cannot help: bad openid, bad template data. */
const PERMANENT_ERRCODES = new Set([40003, 47003, 40037]);
/** No send left for this user and template. */
const NO_QUOTA = 43101;

/**
 * Citizen notifications. Every step of a citizen's case lands in the message centre; the
 * steps that matter also go to WeChat as subscribe messages, through a durable outbox,
 * when the citizen has a send left for the template (subscriptions.ts).
 */
export class NotificationService {
  readonly outbox: Outbox<NotificationPayload>;
  readonly inbox: Inbox;
  readonly quotas: SubscriptionQuotas;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly sender: SubscribeMessageSender,
    /** The citizen's openid for WeChat sends, from the auth domain. */
    private readonly citizens: Pick<AuthService, 'getCitizen'>,
    /** Whether a case is still closed and unrated (rating reminders), from the cases domain. */
    private readonly cases: Pick<CaseQueries, 'isClosedUnrated'>,
  ) {
    this.inbox = new Inbox(ctx);
    this.quotas = new SubscriptionQuotas(ctx);
    this.outbox = new Outbox<NotificationPayload>(ctx.db, {
      collection: 'notification_outbox',
      clock: ctx.clock,
      logger: ctx.logger,
      deliver: (message) => this.deliver(message),
      // Backoff 2 s doubling to 30 min: 16 attempts ride out a WeChat outage of about 3.5 hours.
      maxAttempts: 16,
    });
  }

  /** Case-event subscriber: the reporter's message centre, and WeChat where the step warrants it. */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    if (!shouldNotify(event.action) || !view.reporterId || view.source === 'open311') return;
    const action = event.action as CaseAction;
    const state = event.to as CaseState;
    const citizenId = view.reporterId;
    const page = pageRoute('reportDetail', { id: String(view._id) });
    const text = inboxTextOf({
      caseNo: view.caseNo,
      categoryName: view.categoryName,
      action,
      rejectReason: view.rejectReason as RejectReason | null,
      publicNote: event.publicNote,
    });
    await this.inbox.add({
      key: `${effect.id}:${citizenId}`,
      citizenId,
      kind: action === 'accept_reopen' || action === 'decline_reopen' ? 'reply' : 'case',
      ...text,
      page,
      at: event.at,
    });

    const purpose = wechatPurposeOf(action, state, this.ctx.config.wechat.subscribeMode, this.ctx.config.wechat.oneTimeSteps);
    const data = caseStatusTemplateData({
      caseNo: view.caseNo,
      categoryName: view.categoryName,
      state,
      action,
      at: event.at,
      rejectReason: view.rejectReason as RejectReason | null,
      publicNote: event.publicNote,
    });
    if (purpose) await this.outbox.enqueue(`${effect.id}:${citizenId}`, purpose, { citizenId, template: purpose, page, data });
    if (closesCase(action, state) && this.ctx.config.wechat.subscribeMode === 'one-time') {
      const due = new Date(event.at.getTime() + this.ctx.config.wechat.ratingReminderHours * 3_600_000);
      await this.outbox.enqueue(
        `${effect.id}:${citizenId}:rating`,
        'ratingReminder',
        {
          citizenId,
          template: 'ratingReminder',
          page,
          data: caseStatusTemplateData({ caseNo: view.caseNo, categoryName: view.categoryName, state, action: 'rate', at: event.at }),
          unlessRatedCaseId: String(view._id),
        },
        due,
      );
    }
  }

  /** A message for the message centre that is not about a case step (points, claims, campaigns). */
  async tell(message: NewMessage): Promise<void> {
    await this.inbox.add(message);
  }

  /** Queues a WeChat message (campaign reminders); it reaches WeChat only if the citizen has a send left. */
  async enqueue(key: string, payload: NotificationPayload): Promise<void> {
    await this.outbox.enqueue(key, payload.template, payload);
  }

  private async deliver(message: OutboxMessage<NotificationPayload>): Promise<DeliveryOutcome> {
    const { citizenId, template, page, data, unlessRatedCaseId } = message.payload;
    const templateId = this.quotas.templateFor(template);
    if (!templateId) return { outcome: 'drop', reason: `no template configured for ${template}` };
    if (unlessRatedCaseId) {
      const open = await this.cases.isClosedUnrated(unlessRatedCaseId);
      if (!open) return { outcome: 'drop', reason: 'case rated or reopened meanwhile' };
    }
    const citizen = await this.citizens.getCitizen(citizenId);
    if (!citizen?.openid) return { outcome: 'drop', reason: 'citizen has no WeChat openid' };
    // Spent before asking WeChat: two workers never spend one acceptance twice.
    if (!(await this.quotas.spend(citizenId, templateId))) return { outcome: 'drop', reason: 'no subscribe send left (in the message centre only)' };
    try {
      await this.sender.sendSubscribeMessage({ touser: citizen.openid, templateId, page, data });
      return { outcome: 'sent' };
    } catch (err) {
      const errcode = (err as { errcode?: number }).errcode;
      if (errcode === NO_QUOTA) {
        await this.quotas.exhausted(citizenId, templateId);
        return { outcome: 'drop', reason: `wechat errcode ${errcode}` };
      }
      // Nothing was delivered, so WeChat kept the citizen's send: so do we, for the next step.
      await this.quotas.refund(citizenId, templateId);
      if (errcode !== undefined && PERMANENT_ERRCODES.has(errcode)) return { outcome: 'drop', reason: `wechat errcode ${errcode}` };
      return { outcome: 'retry', error: (err as Error).message };
    }
  }
}
