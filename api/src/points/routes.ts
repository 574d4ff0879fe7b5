import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/** Points, the reward catalogue, claims and the leaderboard. */
export function pointsHandlers({ points }: Services): Handlers<OperationsOfTag<'points'>> {
  const rewards = points.rewards;

  return {
    // ---- citizens
    getMyPoints: ({ caller }) => points.myPoints(caller.userId),
    myPointsHistory: ({ caller, query }) => points.history(caller.userId, query),
    setPointsPreferences: ({ caller, body }) => points.setPreferences(caller.userId, body.anonymous),
    listRewards: async () => ({ items: await rewards.listActive() }),
    claimReward: async ({ caller, params, body }, ctx) => {
      const { created, claim } = await rewards.claim(caller.userId, params.id, body.clientRequestId);
      ctx.status = created ? 201 : 200;
      return claim;
    },
    listMyClaims: ({ caller, query }) => rewards.listMine(caller.userId, query),
    // Signed in or not: a citizen also sees their own standing.
    leaderboard: ({ caller, query }) => points.leaderboard(query, caller?.kind === 'citizen' ? caller.userId : null),

    // ---- staff
    adjustPoints: ({ caller, body }) => points.adjust(caller.userId, body),
    getCitizenPoints: ({ params }) => points.citizenPoints(params.id),
    citizenPointsHistory: ({ params, query }) => points.historyForStaff(params.id, query),
    listRewardsAdmin: async () => ({ items: await rewards.listAll() }),
    upsertReward: ({ params, body }) => rewards.upsertReward(params.id, body),
    listClaims: ({ query }) => rewards.listForStaff(query),
    exportClaimsCsv: async ({ caller, query }, ctx) => {
      const csv = await rewards.exportCsv(query.status, caller.role === 'admin');
      ctx.set('Content-Disposition', `attachment; filename="claims-${query.status}.csv"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = csv;
    },
    fulfilClaim: ({ caller, params, body }) => rewards.fulfil(params.id, body.code, caller.userId),
    failClaim: ({ caller, params, body }) => rewards.fail(params.id, body.reason, caller.userId),
    markClaimDelivered: ({ caller, params }) => rewards.markDelivered(params.id, caller.userId),
  };
}
