import { SATISFIED_MIN_SCORE, durationBucketOf, shanghaiDay, type DurationBucketKey, type RollupCounter, type StatsSource } from '@ssp/shared';
import type { CaseDims, CaseEvent } from '../cases/models';

/** What the statistics read of a case event: a stored one (rebuild) or a subscriber's message. */
export type FoldableEvent = Readonly<Pick<CaseEvent, 'seq' | 'action' | 'from' | 'to' | 'at'>> & {
  readonly dims: Readonly<CaseDims>;
  readonly data: unknown;
};

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
  /**
   * Set on a case's cohort contribution (see `cohortContribution`): `day` is then the
   * submission day and `dueDay` the deadline day of its open cycle (null when none).
   */
  cohort?: { dueDay: string | null };
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
  /** The case as the cohort view sees it (`cohortContribution`). */
  dims: CellDims | null;
  reached: Partial<Record<CohortFlag, true>>;
  closedNow: { onTime: boolean; postponed: boolean } | null;
  firstCloseSeconds: number | null;
  rating: number | null;
  supporters: number;
}

type CohortFlag =
  'withdrawn' | 'accepted' | 'filed' | 'rejected' | 'duplicates' | 'voided' | 'forwarded' | 'returned' | 'reworked' | 'postponed' | 'reopened';

export const emptyFold = (): CaseFold => ({
  submittedAt: null,
  handled: false,
  dispatched: false,
  closedOnce: false,
  cycle: null,
  dims: null,
  reached: {},
  closedNow: null,
  firstCloseSeconds: null,
  rating: null,
  supporters: 0,
});

/**
 * A case's cohort contribution: the case counted once, in the cell of the month it was
 * reported and where it stands now (category, area, department, source), by how far it
 * has got. Public statistics are built from these alone (anonymise.ts), so every funnel
 * is consistent by construction: each flag below implies the one before it (reported ⊇
 * accepted ⊇ filed ⊇ dispatched ⊇ handled ⊇ closed; due ⊇ closed, due ⊇ on time;
 * rated ⊇ satisfied), for one case and hence for any sum of cases. When the case moves
 * or advances, its old contribution is taken out and the new one put in.
 *
 * A case whose deadline cycle is still open is due once its deadline day has passed:
 * its contribution carries that day (`dueDay`), and readers count its open-cycle
 * counters only from the day after (as for the event rollups).
 */
export function cohortContribution(fold: CaseFold): Increment | null {
  if (!fold.submittedAt || !fold.dims) return null;
  const r = fold.reached;
  const n = (flag: boolean) => (flag ? 1 : 0);
  const accepted = !!r.accepted;
  const filed = accepted && !!r.filed;
  const dispatched = filed && (fold.dispatched || !!r.forwarded);
  const handled = dispatched && fold.handled;
  const closed = handled && fold.closedNow !== null;
  const open = filed && !closed && !r.voided && fold.cycle?.deadline ? fold.cycle : null;
  const openOnTime = !!open && !!open.feedbackAt && open.feedbackAt.getTime() <= open.deadline!.getTime();
  const counters: Partial<Record<RollupCounter, number>> = {
    reported: 1,
    withdrawn: n(!!r.withdrawn),
    accepted: n(accepted),
    filed: n(filed),
    rejected: n(accepted && !!r.rejected),
    duplicates: n(accepted && !!r.duplicates),
    voided: n(filed && !!r.voided),
    forwarded: n(filed && !!r.forwarded),
    dispatched: n(dispatched),
    returned: n(filed && !!r.returned),
    handled: n(handled),
    closures: n(closed),
    // Of the closed cases, those that needed rework: a rate over due stays within 100%.
    reworked: n(closed && !!r.reworked),
    postponed: n(filed && !!r.postponed),
    reopened: n(filed && !!r.reopened),
    rated: n(fold.rating !== null),
    satisfied: n(fold.rating !== null && fold.rating >= SATISFIED_MIN_SCORE),
    ratingSum: fold.rating ?? 0,
    supporters: fold.supporters,
    closeCount: n(closed && fold.firstCloseSeconds !== null),
    closeSecondsSum: closed ? (fold.firstCloseSeconds ?? 0) : 0,
    cyClosed: n(closed),
    cyClosedOnTime: n(closed && fold.closedNow!.onTime),
    cyClosedPostponed: n(closed && fold.closedNow!.postponed),
    cyClosedPostponedOnTime: n(closed && fold.closedNow!.postponed && fold.closedNow!.onTime),
    cyOpen: n(!!open),
    cyOpenOnTime: n(openOnTime),
    cyOpenPostponed: n(!!open && open.postponed),
    cyOpenPostponedOnTime: n(!!open && open.postponed && openOnTime),
  };
  for (const [k, v] of Object.entries(counters)) if (!v) delete counters[k as RollupCounter];
  const hist = closed && fold.firstCloseSeconds !== null ? { [durationBucketOf(fold.firstCloseSeconds / 3600)]: 1 } : undefined;
  return {
    day: shanghaiDay(fold.submittedAt),
    dims: fold.dims,
    counters,
    ...(hist ? { hist } : {}),
    cohort: { dueDay: open ? shanghaiDay(open.deadline!) : null },
  };
}

function cellDimsOf(event: FoldableEvent): { dims: CellDims; deadline: Date | null } {
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
  const out: Increment = { ...inc, counters: Object.fromEntries(Object.entries(inc.counters).map(([k, v]) => [k, -v!])) };
  if (inc.hist) out.hist = Object.fromEntries(Object.entries(inc.hist).map(([k, v]) => [k, -v!]));
  return out;
}

function sameCell(a: Increment, b: Increment): boolean {
  return (
    a.day === b.day &&
    JSON.stringify(a.dims) === JSON.stringify(b.dims) &&
    JSON.stringify(a.counters) === JSON.stringify(b.counters) &&
    JSON.stringify(a.hist ?? null) === JSON.stringify(b.hist ?? null) &&
    a.cohort?.dueDay === b.cohort?.dueDay
  );
}

/**
 * Folds one event into the case's fold and returns its increments: counters of the
 * event itself (on the event's day, with the event's dims) and, when the running
 * deadline cycle changed, the move of its contribution.
 */
export function applyEvent(fold: CaseFold, event: FoldableEvent): { fold: CaseFold; increments: Increment[] } {
  const { dims, deadline } = cellDimsOf(event);
  const at = new Date(event.at);
  const day = shanghaiDay(at);
  const next: CaseFold = { ...fold, cycle: fold.cycle ? { ...fold.cycle } : null, dims, reached: { ...fold.reached } };
  const reach = (flag: CohortFlag) => {
    next.reached[flag] = true;
  };
  const counters: Partial<Record<RollupCounter, number>> = {};
  const increments: Increment[] = [];
  let hist: Increment['hist'];
  const count = (name: RollupCounter, n = 1) => {
    counters[name] = (counters[name] ?? 0) + n;
  };
  const before = openContribution(fold.cycle);
  const cohortBefore = cohortContribution(fold);

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
      next.firstCloseSeconds = seconds;
      count('closeCount');
      count('closeSecondsSum', seconds);
      hist = { [durationBucketOf(seconds / 3600)]: 1 };
    }
    const cycle = next.cycle;
    // Without a deadline in force a closure cannot be late.
    next.closedNow = {
      onTime: !cycle?.deadline || (cycle.feedbackAt ?? at).getTime() <= cycle.deadline.getTime(),
      postponed: !!cycle?.postponed,
    };
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
      reach('withdrawn');
      break;
    case 'reject':
      count('accepted');
      count('rejected');
      reach('accepted');
      reach('rejected');
      break;
    case 'merge':
      count('accepted');
      count('rejected');
      count('duplicates');
      reach('accepted');
      reach('rejected');
      reach('duplicates');
      break;
    case 'file':
      count('accepted');
      count('filed');
      reach('accepted');
      reach('filed');
      startCycle();
      break;
    case 'forward':
      count('forwarded');
      reach('forwarded');
      break;
    case 'dispatch':
      if (!next.dispatched) {
        next.dispatched = true;
        count('dispatched');
      }
      break;
    case 'return':
      count('returned');
      reach('returned');
      break;
    case 'approve_postpone':
      count('postponed');
      reach('postponed');
      if (next.cycle) next.cycle.postponed = true;
      break;
    case 'report_handled':
      feedback();
      break;
    case 'verify_fail':
      count('reworked');
      reach('reworked');
      if (next.cycle) next.cycle.feedbackAt = null;
      break;
    case 'verify_pass':
    case 'confirm_fixed':
      close();
      break;
    case 'accept_reopen':
      count('reopened');
      reach('reopened');
      next.closedNow = null;
      startCycle();
      break;
    case 'void':
      count('voided');
      reach('voided');
      next.cycle = null;
      break;
    case 'external_update':
      if (event.to === 'handled') feedback();
      else if (event.to === 'closed') close();
      else if (event.to === 'rejected') {
        count('voided');
        reach('voided');
        next.cycle = null;
      }
      break;
    case 'support':
      count('supporters');
      next.supporters += 1;
      break;
    case 'rate': {
      const score = Number((event.data as { score?: number } | null)?.score);
      count('rated');
      count('ratingSum', Number.isFinite(score) ? score : 0);
      if (score >= SATISFIED_MIN_SCORE) count('satisfied');
      next.rating = Number.isFinite(score) ? score : 0;
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
  const cohortAfter = cohortContribution(next);
  if (!(cohortBefore && cohortAfter && sameCell(cohortBefore, cohortAfter))) {
    if (cohortBefore) increments.push(negate(cohortBefore));
    if (cohortAfter) increments.push(cohortAfter);
  }
  return { fold: next, increments };
}

/** Folds a case's events in order (an event log is append-only, ordered by seq). */
export function replay(events: readonly FoldableEvent[], onEvent?: (event: FoldableEvent, increments: Increment[]) => void): CaseFold {
  let fold = emptyFold();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const result = applyEvent(fold, event);
    fold = result.fold;
    onEvent?.(event, result.increments);
  }
  return fold;
}

/** The increments of one event, given the case's log (events after it are ignored). */
export function incrementsOf(events: readonly FoldableEvent[], event: FoldableEvent): Increment[] {
  const fold = replay(events.filter((e) => e.seq < event.seq));
  return applyEvent(fold, event).increments;
}
