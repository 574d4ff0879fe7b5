import { SATISFIED_MIN_SCORE, durationBucketOf, shanghaiDay, type DurationBucketKey, type RollupCounter, type StatsSource } from '@ssp/shared';
import type { CaseEvent } from '../cases/models';

/**
 * The one pure function from a case's event log to statistics counter increments.
 * The incremental subscriber and the rebuild both go through `replay`/`applyEvent`,
 * so a rebuild from the event logs reproduces the incremental figures exactly.
 * Definitions of every counter: shared/src/indicators.ts.
 */

/** The dimensions a rollup cell is keyed by (besides its day). */
export interface CellDims {
  family: string;
  majorCode: string;
  categoryId: string;
  districtId: string;
  streetId: string;
  gridId: string;
  departmentId: string | null;
  source: StatsSource;
}
export const CELL_DIMS = ['family', 'majorCode', 'categoryId', 'districtId', 'streetId', 'gridId', 'departmentId', 'source'] as const;
export type CellDim = (typeof CELL_DIMS)[number];

/** Counter increments for one cell on one day. */
export interface Increment {
  day: string;
  dims: CellDims;
  counters: Partial<Record<RollupCounter, number>>;
  hist?: Partial<Record<DurationBucketKey, number>>;
}

/** The deadline cycle running on a case (see "Deadline cycles" in shared/src/indicators.ts). */
interface Cycle {
  deadline: Date | null;
  dims: CellDims;
  /** Handling feedback not undone by rework. */
  feedbackAt: Date | null;
  postponed: boolean;
}

/** What the replay of a case's log so far remembers. */
export interface CaseFold {
  submittedAt: Date | null;
  handled: boolean;
  dispatched: boolean;
  closedOnce: boolean;
  cycle: Cycle | null;
}

export const emptyFold = (): CaseFold => ({ submittedAt: null, handled: false, dispatched: false, closedOnce: false, cycle: null });

function cellDimsOf(event: CaseEvent): { dims: CellDims; deadline: Date | null } {
  const d = event.dims;
  return {
    dims: {
      family: d.family,
      majorCode: d.majorCode,
      categoryId: d.categoryId,
      districtId: d.districtId,
      streetId: d.streetId,
      gridId: d.gridId,
      departmentId: d.departmentId ?? null,
      // A citizen report made for a campaign counts as its own source.
      source: (d.campaignId ? 'campaign' : d.source) as StatsSource,
    },
    deadline: d.deadline ? new Date(d.deadline) : null,
  };
}

/** An open cycle sits at its deadline day until it closes or is voided. */
function openContribution(cycle: Cycle | null): Increment | null {
  if (!cycle?.deadline) return null;
  const onTime = !!cycle.feedbackAt && cycle.feedbackAt.getTime() <= cycle.deadline.getTime();
  return {
    day: shanghaiDay(cycle.deadline),
    dims: cycle.dims,
    counters: {
      cyOpen: 1,
      cyOpenOnTime: onTime ? 1 : 0,
      cyOpenPostponed: cycle.postponed ? 1 : 0,
      cyOpenPostponedOnTime: cycle.postponed && onTime ? 1 : 0,
    },
  };
}

function negate(inc: Increment): Increment {
  return { ...inc, counters: Object.fromEntries(Object.entries(inc.counters).map(([k, v]) => [k, -v!])) };
}

function sameCell(a: Increment, b: Increment): boolean {
  return a.day === b.day && JSON.stringify(a.dims) === JSON.stringify(b.dims) && JSON.stringify(a.counters) === JSON.stringify(b.counters);
}

/**
 * Folds one event into the case's fold and returns its increments: counters of the
 * event itself (on the event's day, with the event's dims) and, when the running
 * deadline cycle changed, the move of its contribution.
 */
export function applyEvent(fold: CaseFold, event: CaseEvent): { fold: CaseFold; increments: Increment[] } {
  const { dims, deadline } = cellDimsOf(event);
  const at = new Date(event.at);
  const day = shanghaiDay(at);
  const next: CaseFold = { ...fold, cycle: fold.cycle ? { ...fold.cycle } : null };
  const counters: Partial<Record<RollupCounter, number>> = {};
  const increments: Increment[] = [];
  let hist: Increment['hist'];
  const count = (name: RollupCounter, n = 1) => {
    counters[name] = (counters[name] ?? 0) + n;
  };
  const before = openContribution(fold.cycle);

  const feedback = () => {
    if (next.cycle) next.cycle.feedbackAt = at;
    if (!next.handled) {
      next.handled = true;
      count('handled');
    }
  };
  const close = () => {
    count('closures');
    if (!next.handled) feedback();
    if (!next.closedOnce && next.submittedAt) {
      next.closedOnce = true;
      // Whole seconds, so sums are exact integers whatever order they are added in.
      const seconds = Math.round((at.getTime() - next.submittedAt.getTime()) / 1000);
      count('closeCount');
      count('closeSecondsSum', seconds);
      hist = { [durationBucketOf(seconds / 3600)]: 1 };
    }
    const cycle = next.cycle;
    if (cycle?.deadline) {
      const feedbackAt = cycle.feedbackAt ?? at;
      const onTime = feedbackAt.getTime() <= cycle.deadline.getTime();
      // Due from the earlier of closure and deadline.
      const dueAt = at.getTime() <= cycle.deadline.getTime() ? at : cycle.deadline;
      increments.push({
        day: shanghaiDay(dueAt),
        dims,
        counters: {
          cyClosed: 1,
          cyClosedOnTime: onTime ? 1 : 0,
          cyClosedPostponed: cycle.postponed ? 1 : 0,
          cyClosedPostponedOnTime: cycle.postponed && onTime ? 1 : 0,
        },
      });
    }
    next.cycle = null;
  };
  const startCycle = () => {
    next.cycle = { deadline, dims, feedbackAt: null, postponed: false };
  };

  // The running cycle follows the case's category, area, department and deadline.
  if (next.cycle) Object.assign(next.cycle, { dims, deadline });

  switch (event.action) {
    case 'submit':
      count('reported');
      next.submittedAt = at;
      break;
    case 'withdraw':
      count('withdrawn');
      break;
    case 'reject':
      count('accepted');
      count('rejected');
      break;
    case 'merge':
      count('accepted');
      count('rejected');
      count('duplicates');
      break;
    case 'file':
      count('accepted');
      count('filed');
      startCycle();
      break;
    case 'forward':
      count('forwarded');
      break;
    case 'dispatch':
      if (!next.dispatched) {
        next.dispatched = true;
        count('dispatched');
      }
      break;
    case 'return':
      count('returned');
      break;
    case 'approve_postpone':
      count('postponed');
      if (next.cycle) next.cycle.postponed = true;
      break;
    case 'report_handled':
      feedback();
      break;
    case 'verify_fail':
      count('reworked');
      if (next.cycle) next.cycle.feedbackAt = null;
      break;
    case 'verify_pass':
    case 'confirm_fixed':
      close();
      break;
    case 'accept_reopen':
      count('reopened');
      startCycle();
      break;
    case 'void':
      count('voided');
      next.cycle = null;
      break;
    case 'external_update':
      if (event.to === 'handled') feedback();
      else if (event.to === 'closed') close();
      else if (event.to === 'rejected') {
        count('voided');
        next.cycle = null;
      }
      break;
    case 'support':
      count('supporters');
      break;
    case 'rate': {
      const score = Number((event.data as { score?: number } | null)?.score);
      count('rated');
      count('ratingSum', Number.isFinite(score) ? score : 0);
      if (score >= SATISFIED_MIN_SCORE) count('satisfied');
      break;
    }
    default:
      // request_postpone, deny_postpone, request_reopen, decline_reopen: no counter.
      break;
  }

  if (Object.keys(counters).length) increments.push({ day, dims, counters, ...(hist ? { hist } : {}) });
  const after = openContribution(next.cycle);
  if (!(before && after && sameCell(before, after))) {
    if (before) increments.push(negate(before));
    if (after) increments.push(after);
  }
  return { fold: next, increments };
}

/** Folds a case's events in order (an event log is append-only, ordered by seq). */
export function replay(events: readonly CaseEvent[], onEvent?: (event: CaseEvent, increments: Increment[]) => void): CaseFold {
  let fold = emptyFold();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const result = applyEvent(fold, event);
    fold = result.fold;
    onEvent?.(event, result.increments);
  }
  return fold;
}

/** The increments of one event, given the case's log (events after it are ignored). */
export function incrementsOf(events: readonly CaseEvent[], event: CaseEvent): Increment[] {
  const fold = replay(events.filter((e) => e.seq < event.seq));
  return applyEvent(fold, event).increments;
}
