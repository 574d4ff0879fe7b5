import type {
  AdminCampaign,
  AdminCampaignList,
  CampaignList,
  CampaignResults,
  CampaignSubscriptions,
  CreateCampaign,
  PublicCampaign,
  UpdateCampaign,
} from '@ssp/shared';
import type { ServiceContext } from '../context';
import type { AuthService } from '../auth/service';
import type { CatalogueService } from '../catalogue/service';
import type { MediaService } from '../media/service';
import type { NotificationService } from '../notifications/service';
import type { ContentSecurity } from '../moderation/service';
import type { CaseEffect } from '../cases/models';
import type { CaseEventMessage, CaseView } from '../cases/events';
import { CampaignEditor } from './editor';
import { CampaignMatching, type CampaignMatch, type ReportPlace } from './matching';
import { CampaignParticipation } from './participation';
import { CampaignReminders } from './reminders';
import { CampaignStore } from './store';
import { CampaignViews } from './views';

export type { CampaignMatch, ReportPlace } from './matching';

/**
 * Participation campaigns, one module per job:
 *   editor.ts        publicity staff's editor and lifecycle
 *   views.ts         what citizens and staff read
 *   matching.ts      which live campaign a report counts for, a campaign's multiplier
 *   participation.ts results counted from case events, and the results pages
 *   reminders.ts     citizens' district subscriptions and go-live reminders
 *   store.ts         what they share: collections, status, area index, the live cache
 * This class is the domain's one entry point for routes and other domains.
 */
export class CampaignService {
  private readonly store: CampaignStore;
  private readonly views: CampaignViews;
  private readonly editor: CampaignEditor;
  private readonly matching: CampaignMatching;
  private readonly participation: CampaignParticipation;
  private readonly reminders: CampaignReminders;

  constructor(
    ctx: ServiceContext,
    deps: {
      auth: Pick<AuthService, 'getCitizen' | 'staffDisplayName'>;
      catalogue: CatalogueService;
      media: MediaService;
      notifications: NotificationService;
      contentSecurity: Pick<ContentSecurity, 'checkStaffTexts' | 'checkStaffPhoto'>;
      /** Asked of the points domain, which owns the ledger. */
      points: { netPointsOfCampaign(campaignId: string): Promise<number> };
    },
  ) {
    this.store = new CampaignStore(ctx, deps.catalogue);
    this.views = new CampaignViews(this.store, deps.catalogue, deps.media);
    this.editor = new CampaignEditor(ctx, this.store, this.views, deps.catalogue, deps.media, deps.contentSecurity, deps.auth);
    this.matching = new CampaignMatching(this.store);
    this.participation = new CampaignParticipation(this.store, deps.auth, deps.points);
    this.reminders = new CampaignReminders(this.store, deps.notifications);
  }

  // staff: editor and lifecycle
  create(staffId: string, input: CreateCampaign): Promise<AdminCampaign> {
    return this.editor.create(staffId, input);
  }
  update(staffId: string, id: string, input: UpdateCampaign): Promise<AdminCampaign> {
    return this.editor.update(staffId, id, input);
  }
  publish(staffId: string, id: string, version?: number): Promise<AdminCampaign> {
    return this.editor.publish(staffId, id, version);
  }
  unpublish(staffId: string, id: string, reason: string, version?: number): Promise<AdminCampaign> {
    return this.editor.unpublish(staffId, id, reason, version);
  }
  end(staffId: string, id: string, reason: string | null, version?: number): Promise<AdminCampaign> {
    return this.editor.end(staffId, id, reason, version);
  }

  // reading
  list(): Promise<AdminCampaignList> {
    return this.views.list();
  }
  adminDetail(id: string): Promise<AdminCampaign> {
    return this.views.adminDetail(id);
  }
  preview(id: string): Promise<PublicCampaign> {
    return this.views.preview(id);
  }
  publicList(): Promise<CampaignList> {
    return this.views.publicList();
  }
  publicDetail(id: string): Promise<PublicCampaign> {
    return this.views.publicDetail(id);
  }

  // reports and points
  matchFor(report: ReportPlace): Promise<CampaignMatch | null> {
    return this.matching.matchFor(report);
  }
  multiplierFor(campaignId: string): Promise<number | null> {
    return this.matching.multiplierFor(campaignId);
  }

  // case events and results
  onCaseEvent(event: CaseEventMessage, view: CaseView, effect: CaseEffect): Promise<void> {
    return this.participation.onCaseEvent(event, view, effect);
  }
  results(id: string): Promise<CampaignResults> {
    return this.participation.results(id);
  }
  resultsCsv(id: string): Promise<string> {
    return this.participation.resultsCsv(id);
  }

  // reminders
  subscriptions(citizenId: string): Promise<CampaignSubscriptions> {
    return this.reminders.subscriptions(citizenId);
  }
  subscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    return this.reminders.subscribe(citizenId, districtId);
  }
  unsubscribe(citizenId: string, districtId: string): Promise<CampaignSubscriptions> {
    return this.reminders.unsubscribe(citizenId, districtId);
  }
  notifyLiveCampaigns(): Promise<number> {
    return this.reminders.notifyLiveCampaigns();
  }
}
