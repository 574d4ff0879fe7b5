import { FORWARD_HEADERS } from '@ssp/shared';
import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/** Status callbacks from external platforms (signed, no login), the target list for desks, and the admin view. */
export function forwardingHandlers({ forwarding }: Services): Handlers<OperationsOfTag<'forwarding'>> {
  return {
    forwardingCallback: (_input, ctx) =>
      forwarding.handleCallback({
        targetId: ctx.get(FORWARD_HEADERS.target) || undefined,
        timestamp: ctx.get(FORWARD_HEADERS.timestamp) || undefined,
        signature: ctx.get(FORWARD_HEADERS.signature) || undefined,
        rawBody: ctx.state.rawBody as string | undefined,
        body: ctx.request.body,
        log: ctx.state.log,
      }),
    listForwardingTargets: () => forwarding.targetList(),
    forwardingStatus: () => forwarding.adminView(),
    retryFailedForwarding: async () => ({ requeued: await forwarding.retryFailed() }),
  };
}
