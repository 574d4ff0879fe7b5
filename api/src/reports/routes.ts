import type { Principal } from '../auth/tokens';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';
import { rateLimit } from '../core/rate-limit';

/** Citizens' reports: submit, nearby duplicates, backing, and following their own cases. */
export function reportHandlers({ reports, rateLimits, ctx: serviceCtx }: Services): Handlers<OperationsOfTag<'reports'>> {
  // Nearby answers reveal where open cases are: no citizen may sweep the map.
  const limitNearby = rateLimit(rateLimits, {
    name: 'nearby',
    limit: serviceCtx.config.rateLimits.nearbyPerCitizen,
    key: (ctx) => (ctx.state.caller as Principal).userId,
  });

  return {
    createReport: async ({ caller, body }, ctx) => {
      const { created, doc } = await reports.create(caller.userId, body);
      ctx.status = created ? 201 : 200;
      return reports.detail(doc, 'reporter');
    },
    nearbyReports: {
      use: [limitNearby],
      handle: async ({ caller, query }) => ({ items: await reports.nearby(caller.userId, query.lat, query.lng, query.category) }),
    },
    supportReport: ({ caller, params }) => reports.support(caller.userId, params.id),
    listMyReports: ({ caller, query }) => reports.listMine(caller.userId, query),
    getMyReport: ({ caller, params }) => reports.detailFor(caller.userId, params.id),
    editMyReport: async ({ caller, params, body }) =>
      reports.detail(await reports.editDescription(caller.userId, params.id, body.description), 'reporter'),
    withdrawMyReport: async ({ caller, params }) => reports.detail(await reports.withdraw(caller.userId, params.id), 'reporter'),
    rateMyReport: async ({ caller, params, body }) =>
      reports.detail(await reports.rate(caller.userId, params.id, body.score, body.comment), 'reporter'),
    reportNotFixed: async ({ caller, params, body }) => reports.detail(await reports.reportNotFixed(caller.userId, params.id, body.note), 'reporter'),
    confirmFixed: async ({ caller, params }) => reports.detail(await reports.confirmFixed(caller.userId, params.id), 'reporter'),
    shareMyReport: ({ caller, params }) => reports.share(caller.userId, params.id),
    getSharedCase: ({ params }) => reports.sharedCase(params.id),
  };
}
