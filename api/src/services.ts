import type { ServiceContext } from './context';
import { AuthService } from './auth/service';
import { MediaService } from './media/service';
import { CatalogueService } from './catalogue/service';
import { EffectRelay } from './cases/effects';
import { CaseWorkflow } from './cases/workflow';
import { NotificationService } from './notifications/service';
import { ReportService } from './reports/service';
import { CaseService } from './cases/service';
import { ForwardingService } from './forwarding/service';

/** Every domain service, built once per app from the same context. */
export function createServices(ctx: ServiceContext) {
  const auth = new AuthService(ctx);
  const media = new MediaService(ctx);
  const catalogue = new CatalogueService(ctx);

  const relay = new EffectRelay(ctx.db, ctx.logger);
  const workflow = new CaseWorkflow(ctx, relay, { reporterMayConfirm: ctx.config.cases.reporterMayConfirm });
  const notifications = new NotificationService(ctx, auth.wechat);
  relay.on('notify', (caseDoc, event, effect) => notifications.onCaseEvent(caseDoc, event, effect));

  const cases = new CaseService(ctx, workflow, catalogue, media);
  relay.on('cases', (caseDoc, event, effect) => cases.onCaseEvent(caseDoc, event, effect));

  const forwarding = new ForwardingService(ctx, workflow);
  relay.on('forward', (caseDoc, event, effect) => forwarding.onCaseEvent(caseDoc, event, effect));

  const reports = new ReportService(ctx, workflow, catalogue, media);
  return { ctx, auth, media, catalogue, relay, workflow, notifications, cases, forwarding, reports };
}

export type Services = ReturnType<typeof createServices>;
