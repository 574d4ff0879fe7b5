import type { Handlers, OperationsOfTag } from '../core/operations';
import type { Services } from '../services';

/** The dispatch desk and department workbench: queues, case detail and actions. */
export function caseHandlers({ cases }: Services): Handlers<OperationsOfTag<'cases'>> {
  return {
    caseQueue: ({ caller, query }) => cases.queue(caller, query),
    getStaffCase: ({ caller, params }) => cases.detail(caller, params.id),
    actOnCase: ({ caller, params, body }) => cases.act(caller, params.id, body),
  };
}
