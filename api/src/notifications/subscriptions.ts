import {
  SUBSCRIBE_PURPOSES,
  SUBSCRIBE_PURPOSE_NAMES_ZH,
  type SubscribePurpose,
  type SubscriptionResults,
  type SubscriptionStatus,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import { validationFailed } from '../core/errors';
import { ONE_TIME_STEP_PURPOSES } from './messages';
import { getSubscribeQuotaModel, type SubscribeQuotaDoc } from './models';

/**
 * What each citizen granted in WeChat's subscribe popup, kept as WeChat keeps it: a
 * one-time template gives one send per acceptance, a long-term template any number. A
 * send spends first here (atomically), so WeChat is only asked when a send is left.
 */
export class SubscriptionQuotas {
  constructor(private readonly ctx: ServiceContext) {}

  private get Quota() {
    return getSubscribeQuotaModel(this.ctx.db);
  }

  private get config() {
    return this.ctx.config.wechat;
  }

  /** The configured templates the mini-program should offer, by purpose (long-term mode: the one case template). */
  purposes(): SubscribePurpose[] {
    const t = this.config.templates;
    // One-time mode: only the templates some step is spent on (WECHAT_ONE_TIME_STEPS), and the rating reminder.
    const spentOn = new Set(Object.values(this.config.oneTimeSteps));
    let caseParts: SubscribePurpose[] =
      this.config.subscribeMode === 'long-term' ? ['caseStatus'] : [...ONE_TIME_STEP_PURPOSES.filter((p) => spentOn.has(p)), 'ratingReminder'];
    // One-time mode with only the case template configured: it serves every purpose.
    if (!caseParts.some((p) => t[p])) caseParts = ['caseStatus'];
    return SUBSCRIBE_PURPOSES.filter((p) => (caseParts.includes(p) || p === 'campaign') && t[p]);
  }

  /** The template a purpose is sent with: its own, else the case template. */
  templateFor(purpose: SubscribePurpose): string {
    return this.config.templates[purpose] || (purpose === 'campaign' ? '' : this.config.templates.caseStatus);
  }

  /** Whether a template is long-term (only the case template, in long-term mode). */
  isLongTerm(templateId: string): boolean {
    return this.config.subscribeMode === 'long-term' && templateId === this.config.templates.caseStatus;
  }

  async status(citizenId: string): Promise<SubscriptionStatus> {
    const purposes = this.purposes();
    const docs = await this.Quota.find({ citizenId }).lean<SubscribeQuotaDoc[]>();
    const byTemplate = new Map(docs.map((d) => [d.templateId, d]));
    return {
      mode: this.config.subscribeMode,
      templates: purposes.map((purpose) => {
        const templateId = this.config.templates[purpose];
        const doc = byTemplate.get(templateId);
        const longTerm = this.isLongTerm(templateId);
        return {
          purpose,
          name: SUBSCRIBE_PURPOSE_NAMES_ZH[purpose],
          templateId,
          kind: longTerm ? ('long-term' as const) : ('one-time' as const),
          remaining: longTerm ? null : (doc?.remaining ?? 0),
          active: longTerm ? !!doc?.longTerm : (doc?.remaining ?? 0) > 0,
        };
      }),
    };
  }

  /** Records the popup's answers: each accepted one-time template one more send. */
  async record(citizenId: string, input: SubscriptionResults): Promise<SubscriptionStatus> {
    const known = new Set(this.purposes().map((p) => this.config.templates[p]));
    const unknown = Object.keys(input.results).filter((id) => !known.has(id));
    if (unknown.length) throw validationFailed(unknown.map((id) => ({ field: `results.${id}`, issue: '不是本服务配置的订阅消息模板' })));
    const now = this.ctx.clock.now();
    await Promise.all(
      Object.entries(input.results).map(([templateId, result]) => {
        const _id = `${citizenId}|${templateId}`;
        const base = { $setOnInsert: { citizenId, templateId }, $set: { updatedAt: now } };
        if (result === 'accept') {
          return this.isLongTerm(templateId)
            ? this.Quota.updateOne(
                { _id },
                { ...base, $set: { updatedAt: now, longTerm: true }, $setOnInsert: { citizenId, templateId, remaining: 0 } },
                { upsert: true },
              )
            : this.Quota.updateOne(
                { _id },
                { ...base, $inc: { remaining: 1 }, $setOnInsert: { citizenId, templateId, longTerm: false } },
                { upsert: true },
              );
        }
        // 'ban' switches the template off for this user in WeChat: nothing is left.
        if (result === 'ban') return this.Quota.updateOne({ _id }, { $set: { remaining: 0, longTerm: false, updatedAt: now } });
        return Promise.resolve();
      }),
    );
    return this.status(citizenId);
  }

  /** Takes one send of this template for this citizen; false when none is left. */
  async spend(citizenId: string, templateId: string): Promise<boolean> {
    const _id = `${citizenId}|${templateId}`;
    if (this.isLongTerm(templateId)) return !!(await this.Quota.exists({ _id, longTerm: true }));
    const taken = await this.Quota.updateOne({ _id, remaining: { $gt: 0 } }, { $inc: { remaining: -1 }, $set: { updatedAt: this.ctx.clock.now() } });
    return taken.modifiedCount === 1;
  }

  /** Gives back a send WeChat did not deliver for a passing reason (it will be retried). */
  async refund(citizenId: string, templateId: string): Promise<void> {
    if (this.isLongTerm(templateId)) return;
    await this.Quota.updateOne({ _id: `${citizenId}|${templateId}` }, { $inc: { remaining: 1 } });
  }

  /** WeChat says nothing is left (43101): believe it. */
  async exhausted(citizenId: string, templateId: string): Promise<void> {
    await this.Quota.updateOne({ _id: `${citizenId}|${templateId}` }, { $set: { remaining: 0, longTerm: false, updatedAt: this.ctx.clock.now() } });
  }
}
