import type { ServiceContext } from './context';
import { loadCityProfile, type CityProfile } from './city-profile';
import { AuthService } from './auth/service';
import { MediaService } from './media/service';
import { CatalogueService } from './catalogue/service';
import { EffectRelay } from './cases/effects';
import { CaseQueries } from './cases/queries';
import { CaseWorkflow } from './cases/workflow';
import { NotificationService } from './notifications/service';
import { ReportService } from './reports/service';
import { CaseService } from './cases/service';
import { ForwardingService } from './forwarding/service';
import { CampaignService } from './campaigns/service';
import { Open311Service } from './open311/service';
import { PointsService } from './points/service';
import { StatsService } from './stats/service';
import { ContentSecurity } from './moderation/service';
import { CampaignPoster } from './campaigns/poster';
import { ReverseGeocoder } from './catalogue/geocoder';
import { SmsCodes } from './auth/sms';
import { WeChatWebAuth } from './auth/wechat-web';
import { RateLimitStore } from './core/rate-limit';

/** Every domain service, built once per app from the same context and the deployment's city folder, read once. */
export function createServices(ctx: ServiceContext, city: CityProfile = loadCityProfile(ctx.config.cityDataDir)) {
  // Points are built below; auth asks them for the balance shown with a profile.
  const auth: AuthService = new AuthService(ctx, { balanceOf: (citizenId: string): Promise<number> => points.balanceOf(citizenId) });
  const media = new MediaService(ctx);
  const catalogue = new CatalogueService(ctx, city);

  const relay = new EffectRelay(ctx.db, ctx.logger);
  // Other domains read cases through these; the workflow is the only writer.
  const caseQueries = new CaseQueries(ctx.db);
  const workflow = new CaseWorkflow(ctx, relay, { reporterMayConfirm: ctx.config.cases.reporterMayConfirm });
  const notifications = new NotificationService(ctx, auth.wechat, auth, caseQueries);
  relay.on('notify', (event, view, effect) => notifications.onCaseEvent(event, view, effect));

  const forwarding = new ForwardingService(ctx, workflow, city.forwarding, auth, caseQueries);
  relay.on('forward', (event, view, effect) => forwarding.onCaseEvent(event, view, effect));

  const cases = new CaseService(ctx, workflow, catalogue, media, forwarding, auth);
  relay.on('cases', (event, view, effect) => cases.onCaseEvent(event, view, effect));

  const moderation = new ContentSecurity(ctx, auth.wechat, workflow, auth, caseQueries, media);

  // Points are built below; campaigns ask them only when results are read.
  const campaigns = new CampaignService(ctx, {
    auth,
    catalogue,
    media,
    notifications,
    contentSecurity: moderation,
    points: { netPointsOfCampaign: (campaignId: string): Promise<number> => points.netPointsOfCampaign(campaignId) },
  });
  relay.on('campaigns', (event, view, effect) => campaigns.onCaseEvent(event, view, effect));

  const points = new PointsService(ctx, {
    auth,
    catalogue,
    rules: city.pointsRules,
    rewards: city.rewards,
    campaignMultiplier: (campaignId) => campaigns.multiplierFor(campaignId),
    tell: (message) => notifications.tell(message),
  });
  relay.on('points', (event, view, effect) => points.onCaseEvent(event, view, effect));

  const stats = new StatsService(ctx, catalogue, caseQueries);
  relay.on('stats', (event, view, effect) => stats.onCaseEvent(event, view, effect));

  const reports = new ReportService(ctx, workflow, catalogue, media, campaigns, moderation, caseQueries);
  const open311 = new Open311Service(ctx, workflow, catalogue, caseQueries);
  const rateLimits = new RateLimitStore(ctx.db, ctx.clock, ctx.logger);
  return {
    ctx,
    city,
    rateLimits,
    auth,
    media,
    catalogue,
    relay,
    moderation,
    sms: new SmsCodes(ctx),
    wechatWeb: new WeChatWebAuth(ctx),
    geocoder: new ReverseGeocoder(ctx),
    campaignPoster: new CampaignPoster(campaigns, auth.wechat),
    workflow,
    notifications,
    cases,
    forwarding,
    reports,
    open311,
    campaigns,
    points,
    stats,
  };
}

export type Services = ReturnType<typeof createServices>;
