import type { ForwardingAdminView, ForwardingCallbackResult, ForwardingConfig, ForwardingTarget, ForwardingTargetList } from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { Outbox } from '../core/outbox';
import type { AuthService } from '../auth/service';
import type { CaseEffect } from '../cases/models';
import type { CaseEventMessage, CaseView } from '../cases/events';
import type { CaseQueries } from '../cases/queries';
import type { CaseWorkflow } from '../cases/workflow';
import { ForwardingCallbacks, type CallbackRequest } from './callbacks';
import { ForwardingSender, type ForwardMessage } from './sender';
import { ForwardingTargets } from './targets';

export type { CallbackRequest } from './callbacks';
export type { ForwardMessage } from './sender';

const SYSTEM = { role: 'system', id: null } as const;

/**
 * Hands filed cases to external official platforms (12345, the city's 数字城管
 * platform…) instead of dispatching them here, and takes their status back:
 *   targets.ts    forwarding.json's targets, rules and secrets
 *   sender.ts     the signed deliveries through a durable outbox
 *   callbacks.ts  the platforms' signed status callbacks
 * This class is the case-event subscriber (auto-forward by the rules, queue a delivery
 * for every forward) and the domain's entry point.
 */
export class ForwardingService {
  private readonly targets: ForwardingTargets;
  private readonly sender: ForwardingSender;
  private readonly callbacks: ForwardingCallbacks;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly workflow: CaseWorkflow,
    /** forwarding.json of the city profile; null: forwarding is off. */
    config: ForwardingConfig | null,
    /** The reporter's contact (only with their consent), from the auth domain. */
    citizens: Pick<AuthService, 'citizenContacts'>,
    cases: Pick<CaseQueries, 'byId' | 'byForwardingId'>,
  ) {
    this.targets = new ForwardingTargets(config, ctx.logger);
    this.sender = new ForwardingSender(ctx, workflow, this.targets, citizens, cases);
    this.callbacks = new ForwardingCallbacks(ctx, workflow, this.targets, cases);
  }

  get outbox(): Outbox<ForwardMessage> {
    return this.sender.outbox;
  }
  requireTarget(targetId: string, field = 'targetId'): ForwardingTarget {
    return this.targets.requireTarget(targetId, field);
  }
  targetList(): ForwardingTargetList {
    return this.targets.targetList();
  }
  handleCallback(req: CallbackRequest): Promise<ForwardingCallbackResult> {
    return this.callbacks.handleCallback(req);
  }
  adminView(): Promise<ForwardingAdminView> {
    return this.sender.adminView();
  }
  retryFailed(): Promise<number> {
    return this.sender.retryFailed();
  }

  // ------------------------------------------------------------ case effects

  /** Case-event subscriber: forwards matching cases once filed, and queues the delivery of every forward. */
  async onCaseEvent(event: CaseEventMessage, view: CaseView, _effect: CaseEffect): Promise<void> {
    if (event.action === 'file') await this.autoForward(view, event);
    else if (event.action === 'forward') await this.queueDelivery(view, event);
  }

  private forwardingRecord(targetId: string, auto: boolean, at: Date) {
    return { targetId, targetName: this.targets.target(targetId)?.name ?? null, at, auto, externalId: null, deliveredAt: null };
  }

  private async autoForward(view: CaseView, event: CaseEventMessage): Promise<void> {
    const target = this.targets.matchTarget(view);
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
    await this.sender.outbox.enqueue(`forward:${caseId}:${targetId}`, 'forward', { caseId, targetId });
  }
}
