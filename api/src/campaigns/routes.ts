import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/** Publicity staff's campaign editor and results; citizens' campaign pages and reminders. */
export function campaignHandlers({ campaigns, campaignPoster }: Services): Handlers<OperationsOfTag<'campaigns'>> {
  return {
    createCampaign: ({ caller, body }) => campaigns.create(caller.userId, body),
    listCampaignsAdmin: () => campaigns.list(),
    getCampaignAdmin: ({ params }) => campaigns.adminDetail(params.id),
    updateCampaign: ({ caller, params, body }) => campaigns.update(caller.userId, params.id, body),
    previewCampaign: ({ params }) => campaigns.preview(params.id),
    // Lifecycle actions may come without a body.
    publishCampaign: ({ caller, params, body }) => campaigns.publish(caller.userId, params.id, body?.version),
    unpublishCampaign: ({ caller, params, body }) => campaigns.unpublish(caller.userId, params.id, body.reason, body.version),
    endCampaign: ({ caller, params, body }) => campaigns.end(caller.userId, params.id, body?.reason ?? null, body?.version),
    campaignResults: ({ params }) => campaigns.results(params.id),
    campaignPoster: async ({ params }, ctx) => {
      const png = await campaignPoster.render(params.id);
      ctx.set('Content-Disposition', `attachment; filename="campaign-${params.id}-poster.png"`);
      ctx.type = 'image/png';
      ctx.body = png;
    },
    campaignResultsCsv: async ({ params }, ctx) => {
      const csv = await campaigns.resultsCsv(params.id);
      ctx.set('Content-Disposition', `attachment; filename="campaign-${params.id}-results.csv"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = csv;
    },
    listCampaigns: () => campaigns.publicList(),
    getCampaign: ({ params }) => campaigns.publicDetail(params.id),
    listCampaignSubscriptions: ({ caller }) => campaigns.subscriptions(caller.userId),
    subscribeCampaigns: ({ caller, body }) => campaigns.subscribe(caller.userId, body.districtId),
    unsubscribeCampaigns: ({ caller, params }) => campaigns.unsubscribe(caller.userId, params.districtId),
  };
}
