import type { CaseEvent } from '../src/cases/models';
import { incrementsOf, replay, type Increment } from '../src/stats/increments';

/** The pure event → counters function on hand-written event logs (no database needed). */

const BASE = {
  categoryId: 'C0101',
  family: 'component',
  majorCode: '01',
  districtId: 'd1',
  streetId: 's1',
  gridId: 'g1',
  departmentId: null as string | null,
  source: 'citizen',
  campaignId: null as string | null,
  deadline: null as Date | null,
};

/** Beijing time "MM-DD HH:mm" in 2026. */
const t = (s: string) => new Date(`2026-${s.slice(0, 5)}T${s.slice(6)}:00+08:00`);

class Log {
  events: CaseEvent[] = [];
  dims = { ...BASE };
  state = 'pending';
  add(action: string, at: string, opts: { to?: string; set?: Partial<typeof BASE>; data?: Record<string, unknown> } = {}): this {
    this.dims = { ...this.dims, ...opts.set };
    const to = opts.to ?? this.state;
    this.events.push({
      seq: this.events.length + 1,
      action,
      from: this.events.length ? this.state : null,
      to,
      at: t(at),
      actorRole: 'system',
      actorId: null,
      publicNote: null,
      internalNote: null,
      photoIds: [],
      data: opts.data ?? null,
      dims: { ...this.dims },
    });
    this.state = to;
    return this;
  }
}

type Totals = Map<string, Record<string, number>>;

/** Sums increments per "day|departmentId|source" (cohort rows: "cohort|day|departmentId|source|dueDay"), dropping zero counters. */
function totals(increments: Increment[]): Totals {
  const out: Totals = new Map();
  for (const inc of increments) {
    const cell = `${inc.day}|${inc.dims.departmentId ?? '-'}|${inc.dims.source}`;
    const key = inc.cohort ? `cohort|${cell}|${inc.cohort.dueDay ?? '-'}` : cell;
    const row = out.get(key) ?? {};
    for (const [name, n] of Object.entries(inc.counters)) row[name] = (row[name] ?? 0) + n!;
    for (const [bucket, n] of Object.entries(inc.hist ?? {})) row[`hist.${bucket}`] = (row[`hist.${bucket}`] ?? 0) + n!;
    out.set(key, row);
  }
  for (const [key, row] of out) {
    for (const [name, n] of Object.entries(row)) if (n === 0) delete row[name];
    if (!Object.keys(row).length) out.delete(key);
  }
  return out;
}

/** The event counters of a replay, or its cohort rows with `cohort`. */
function replayTotals(log: Log, options: { cohort?: boolean } = {}): Totals {
  const all: Increment[] = [];
  replay(log.events, (_e, incs) => all.push(...incs.filter((inc) => !!inc.cohort === !!options.cohort)));
  return totals(all);
}

const D1 = t('03-03 18:00');

describe('case events → counter increments', () => {
  it('counts a case handled on time and closed after its deadline as due on the deadline day, on time', () => {
    const log = new Log()
      .add('submit', '03-02 09:00')
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('dispatch', '03-02 11:00', { to: 'dispatched' })
      .add('report_handled', '03-03 09:00', { to: 'handled' })
      .add('verify_pass', '03-04 10:00', { to: 'closed' })
      .add('rate', '03-04 12:00', { data: { score: 4 } });
    expect(Object.fromEntries(replayTotals(log))).toEqual({
      '2026-03-02|-|citizen': { reported: 1 },
      '2026-03-02|D1|citizen': { accepted: 1, filed: 1, dispatched: 1 },
      '2026-03-03|D1|citizen': { handled: 1, cyClosed: 1, cyClosedOnTime: 1 },
      // 49 hours from report to closure.
      '2026-03-04|D1|citizen': { closures: 1, closeCount: 1, closeSecondsSum: 49 * 3600, 'hist.h48': 1, rated: 1, ratingSum: 4, satisfied: 1 },
    });
  });

  it('keeps an open case at its deadline day, moving with postponement and department, and counts rework and lateness', () => {
    const log = new Log()
      .add('submit', '03-02 09:00', { set: { campaignId: 'camp1' } })
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('dispatch', '03-02 11:00', { to: 'dispatched' })
      .add('return', '03-02 12:00', { to: 'filed', set: { departmentId: null } })
      .add('dispatch', '03-02 13:00', { to: 'dispatched', set: { departmentId: 'D2' } })
      .add('request_postpone', '03-03 09:00')
      .add('approve_postpone', '03-03 10:00', { to: 'postponed', set: { deadline: t('03-05 18:00') } });
    // Open: one cycle, at the postponed deadline's day, with the current department.
    expect(Object.fromEntries(replayTotals(log))).toEqual({
      '2026-03-02|-|campaign': { reported: 1, returned: 1 },
      '2026-03-02|D1|campaign': { accepted: 1, filed: 1, dispatched: 1 },
      '2026-03-03|D2|campaign': { postponed: 1 },
      '2026-03-05|D2|campaign': { cyOpen: 1, cyOpenPostponed: 1 },
    });

    log
      .add('report_handled', '03-05 09:00', { to: 'handled' })
      .add('verify_fail', '03-05 11:00', { to: 'processing' })
      .add('report_handled', '03-06 09:00', { to: 'handled' })
      .add('verify_pass', '03-06 10:00', { to: 'closed' });
    const closed = Object.fromEntries(replayTotals(log));
    // Feedback after the postponed deadline: late; due on the deadline day; handled counted once.
    expect(closed['2026-03-05|D2|campaign']).toEqual({ handled: 1, reworked: 1, cyClosed: 1, cyClosedPostponed: 1 });
    expect(closed['2026-03-06|D2|campaign']).toMatchObject({ closures: 1, closeCount: 1 });
  });

  it('starts a new cycle on reopening, drops a voided cycle, and counts merges as screened duplicates', () => {
    const reopened = new Log()
      .add('submit', '03-02 09:00')
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('dispatch', '03-02 11:00', { to: 'dispatched' })
      .add('report_handled', '03-02 15:00', { to: 'handled' })
      .add('verify_pass', '03-02 16:00', { to: 'closed' })
      .add('request_reopen', '03-02 17:00')
      .add('accept_reopen', '03-03 09:00', { to: 'dispatched', set: { deadline: t('03-09 18:00') } });
    const r = Object.fromEntries(replayTotals(reopened));
    // Closed before its deadline: due (and on time) on the closure day.
    expect(r['2026-03-02|D1|citizen']).toMatchObject({ cyClosed: 1, cyClosedOnTime: 1, closures: 1, handled: 1 });
    expect(r['2026-03-03|D1|citizen']).toEqual({ reopened: 1 });
    expect(r['2026-03-09|D1|citizen']).toEqual({ cyOpen: 1 });

    const voided = new Log()
      .add('submit', '03-02 09:00')
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('void', '03-02 11:00', { to: 'rejected' });
    expect(Object.fromEntries(replayTotals(voided))).toEqual({
      '2026-03-02|-|citizen': { reported: 1 },
      '2026-03-02|D1|citizen': { accepted: 1, filed: 1, voided: 1 },
    });

    const merged = new Log().add('submit', '03-02 09:00').add('merge', '03-02 10:00', { to: 'rejected' }).add('support', '03-02 10:01');
    expect(Object.fromEntries(replayTotals(merged))).toEqual({
      '2026-03-02|-|citizen': { reported: 1, accepted: 1, rejected: 1, duplicates: 1, supporters: 1 },
    });
  });

  it('closes through an external platform without feedback, judging the closure time', () => {
    const log = new Log()
      .add('submit', '03-02 09:00', { set: { source: 'external' } })
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('forward', '03-02 10:05', { to: 'forwarded' })
      .add('external_update', '03-04 10:00', { to: 'closed' });
    const r = Object.fromEntries(replayTotals(log));
    expect(r['2026-03-03|D1|external']).toEqual({ cyClosed: 1 });
    expect(r['2026-03-04|D1|external']).toMatchObject({ handled: 1, closures: 1 });
  });

  it('gives each event the same increments alone (from its log prefix) as in a full replay, in any order', () => {
    const log = new Log()
      .add('submit', '03-02 09:00')
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('dispatch', '03-02 11:00', { to: 'dispatched' })
      .add('approve_postpone', '03-03 10:00', { to: 'postponed', set: { deadline: t('03-05 18:00') } })
      .add('report_handled', '03-05 09:00', { to: 'handled' })
      .add('verify_pass', '03-06 10:00', { to: 'closed' })
      .add('request_reopen', '03-06 12:00')
      .add('accept_reopen', '03-07 09:00', { to: 'dispatched', set: { deadline: t('03-12 18:00') } });
    const oneByOne = [...log.events].reverse().flatMap((e) => incrementsOf(log.events, e));
    expect(totals(oneByOne.filter((inc) => !inc.cohort))).toEqual(replayTotals(log));
    expect(totals(oneByOne.filter((inc) => inc.cohort))).toEqual(replayTotals(log, { cohort: true }));
  });

  it('keeps each case once in its cohort row (submission day, current cell), moving it as it advances', () => {
    const log = new Log()
      .add('submit', '03-02 09:00')
      .add('file', '03-02 10:00', { to: 'filed', set: { departmentId: 'D1', deadline: D1 } })
      .add('dispatch', '03-02 11:00', { to: 'dispatched' });
    // Open, dispatched, due on its deadline day: the old contributions (pending, filed) are taken back out.
    expect(Object.fromEntries(replayTotals(log, { cohort: true }))).toEqual({
      'cohort|2026-03-02|D1|citizen|2026-03-03': { reported: 1, accepted: 1, filed: 1, dispatched: 1, cyOpen: 1 },
    });
    log
      .add('verify_fail', '03-02 12:00')
      .add('report_handled', '03-03 09:00', { to: 'handled' })
      .add('verify_pass', '03-04 10:00', { to: 'closed' })
      .add('rate', '03-04 12:00', { data: { score: 5 } })
      .add('rate', '03-05 12:00', { data: { score: 2 } });
    expect(Object.fromEntries(replayTotals(log, { cohort: true }))).toEqual({
      'cohort|2026-03-02|D1|citizen|-': {
        reported: 1,
        accepted: 1,
        filed: 1,
        dispatched: 1,
        handled: 1,
        closures: 1,
        reworked: 1,
        cyClosed: 1,
        cyClosedOnTime: 1,
        closeCount: 1,
        closeSecondsSum: 49 * 3600,
        'hist.h48': 1,
        // The latest rating counts.
        rated: 1,
        ratingSum: 2,
      },
    });
    log.add('accept_reopen', '03-06 09:00', { to: 'dispatched', set: { departmentId: 'D2', deadline: t('03-12 18:00') } });
    expect(Object.fromEntries(replayTotals(log, { cohort: true }))).toEqual({
      'cohort|2026-03-02|D2|citizen|2026-03-12': {
        reported: 1,
        accepted: 1,
        filed: 1,
        dispatched: 1,
        handled: 1,
        reopened: 1,
        rated: 1,
        ratingSum: 2,
        cyOpen: 1,
      },
    });
  });

  it('keeps every funnel flag of a cohort row within the one before it, whatever the events', () => {
    const actions = [
      'file',
      'reject',
      'merge',
      'forward',
      'dispatch',
      'return',
      'report_handled',
      'verify_fail',
      'verify_pass',
      'void',
      'accept_reopen',
      'approve_postpone',
      'external_update',
      'rate',
      'support',
      'withdraw',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let run = 0; run < 500; run++) {
      const log = new Log().add('submit', '03-02 09:00');
      const steps = Math.floor(random() * 10);
      for (let i = 0; i < steps; i++) {
        const action = actions[Math.floor(random() * actions.length)]!;
        const to = action === 'external_update' ? ['handled', 'closed', 'rejected'][Math.floor(random() * 3)] : undefined;
        log.add(action, `03-0${3 + Math.floor(i / 3)} 1${i % 10}:00`, {
          to,
          set: action === 'file' ? { departmentId: random() < 0.5 ? 'D1' : 'D2', deadline: D1 } : {},
          data: action === 'rate' ? { score: 1 + Math.floor(random() * 5) } : undefined,
        });
      }
      const rows = [...replayTotals(log, { cohort: true }).values()];
      // Exactly one case, counted once.
      expect(rows.reduce((n, r) => n + (r.reported ?? 0), 0)).toBe(1);
      for (const r of rows) {
        const f = (k: string) => r[k] ?? 0;
        const chain = [f('reported'), f('accepted'), f('filed'), f('dispatched'), f('handled'), f('closures')];
        for (let i = 1; i < chain.length; i++) expect(chain[i]).toBeLessThanOrEqual(chain[i - 1]!);
        expect(f('cyClosed') + f('cyOpen')).toBeLessThanOrEqual(f('filed'));
        expect(f('cyClosedOnTime')).toBeLessThanOrEqual(f('cyClosed'));
        expect(f('reworked')).toBeLessThanOrEqual(f('cyClosed'));
        expect(f('satisfied')).toBeLessThanOrEqual(f('rated'));
        for (const v of Object.values(r)) expect(v).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
