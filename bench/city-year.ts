/**
 * A synthetic year of a city's cases, as the workflow would have left them: each case's
 * event log (screening, dispatch, returns, postponements, rework, reopening, ratings,
 * backers; about a fifth late, 1 % left open; uneven grids) and its case document.
 * Used by bench/stats.ts (a calendar year, every case finished) and bench/city.ts (the
 * year up to now, recent cases still in progress, reporters among real citizen documents).
 *
 * Import it after '@ssp/shared' resolves to the sources (the benches set that up first).
 */
import { Types } from 'mongoose';
import { computeDeadline, type Calendar, type Category } from '@ssp/shared';
import { seededRandom } from '../api/src/core/seeded-random';
import type { CaseDoc, CaseEvent } from '../api/src/cases/models';
import type { Services } from '../api/src/services';

export const HOUR = 3600_000;
export const MIN = 60_000;
export const DAY = 24 * HOUR;
export const YEAR_MS = 365 * DAY;
/** The far-future dueAt of a case without a deadline (api/src/cases/models.ts NO_DEADLINE). */
const NO_DEADLINE = new Date('9999-12-31T00:00:00Z');

export type LatLng = { lat: number; lng: number };
export type Rnd = ReturnType<typeof random>;

export function random(seed: number) {
  const next = seededRandom(seed);
  return { next, chance: (p: number) => next() < p, between: (lo: number, hi: number) => lo + next() * (hi - lo) };
}

export interface CityGrid {
  id: string;
  streetId: string;
  districtId: string;
  centroid: LatLng;
}

export interface City {
  categories: Category[];
  weights: number[];
  grids: CityGrid[];
  calendar: Calendar;
}

/** The city's data (loaded into the database first when it is empty), as the generator needs it. */
export async function cityOf(services: Services): Promise<City> {
  await services.catalogue.seedCityDataIfEmpty();
  const categories = await services.catalogue.allCategories();
  const tree = await services.catalogue.areaTree();
  return {
    categories,
    weights: categories.map((c) => 1 + (c.popularity ?? 0)),
    grids: tree.districts.flatMap((d) =>
      d.streets.flatMap((s) => s.grids.map((g) => ({ id: g.id, streetId: s.id, districtId: d.id, centroid: g.centroid }))),
    ),
    calendar: await services.catalogue.getCalendar(),
  };
}

export interface SynthOptions {
  /** When the period starts (ms since the epoch); the cases are spread evenly over it. */
  start: number;
  /** Length of the period; default 365 days. */
  spanMs?: number;
  /** "Now": events after it are dropped, so recent cases are still in progress. Default: keep every event. */
  cutAt?: number;
  /** The reporter (citizen id) of citizen case i; default `c${i % 50000}`. */
  reporterOf?: (i: number) => string;
  /** The k-th backer (我也遇到) of case i; default `b${k}`. */
  supporterOf?: (i: number, k: number) => string;
  /** Where case i lies in its grid; default the grid's centroid. */
  locationOf?: (grid: CityGrid, i: number) => LatLng;
  /** The photos submitted with case i; default none. */
  photosOf?: (i: number) => string[];
  /** The staff account acting in a role; default none (null actor ids). */
  staffOf?: (role: 'operator' | 'dispatcher' | 'department' | 'supervisor') => string | null;
}

/** Who does each action in the workflow (api/src/cases, api/src/reports, api/src/forwarding). */
const ACTOR_OF: Record<string, 'reporter' | 'operator' | 'dispatcher' | 'department' | 'supervisor' | 'system' | 'external' | 'citizen'> = {
  withdraw: 'reporter',
  reject: 'operator',
  merge: 'operator',
  file: 'operator',
  void: 'operator',
  forward: 'operator',
  external_update: 'external',
  dispatch: 'dispatcher',
  return: 'department',
  accept_task: 'department',
  request_postpone: 'department',
  approve_postpone: 'dispatcher',
  deny_postpone: 'dispatcher',
  report_handled: 'department',
  verify_pass: 'supervisor',
  verify_fail: 'supervisor',
  confirm_fixed: 'reporter',
  request_reopen: 'reporter',
  accept_reopen: 'operator',
  rate: 'reporter',
  support: 'citizen',
};

export type SynthDoc = Omit<CaseDoc, 'shareContact'>;

/** One synthetic case: its event log and its document, as the workflow would have left them. */
export function synthCase(i: number, n: number, city: City, rnd: Rnd, opts: SynthOptions): { events: CaseEvent[]; doc: SynthDoc } {
  const span = opts.spanMs ?? YEAR_MS;
  const total = city.weights.reduce((a, b) => a + b, 0);
  let pick = rnd.next() * total;
  const category = city.categories.find((_c, k) => (pick -= city.weights[k]!) < 0) ?? city.categories[0]!;
  // Uneven grids (busy centre, quiet outskirts), as cities are.
  const grid = city.grids[Math.min(city.grids.length - 1, Math.floor(city.grids.length * rnd.next() ** 1.8))]!;
  const r = rnd.next();
  const source = r < 0.7 ? 'citizen' : r < 0.85 ? 'staff' : r < 0.93 ? 'open311' : 'external';
  const campaignId = source === 'citizen' && rnd.chance(0.15) ? 'camp-2025' : null;
  const reporterId = source === 'citizen' ? (opts.reporterOf ? opts.reporterOf(i) : `c${i % 50_000}`) : null;
  const photoIds = source === 'citizen' || source === 'staff' ? (opts.photosOf?.(i) ?? []) : [];
  const dims = {
    categoryId: category.id,
    family: category.family,
    majorCode: category.majorCode,
    districtId: grid.districtId,
    streetId: grid.streetId,
    gridId: grid.id,
    departmentId: null as string | null,
    source,
    campaignId,
    deadline: null as Date | null,
  };
  const actor = (action: string): { actorRole: string; actorId: string | null } => {
    if (action === 'submit') {
      if (source === 'citizen') return { actorRole: 'reporter', actorId: reporterId };
      if (source === 'staff') return { actorRole: 'supervisor', actorId: opts.staffOf?.('supervisor') ?? null };
      if (source === 'open311') return { actorRole: 'system', actorId: 'open311:bench' };
      return { actorRole: 'external', actorId: null };
    }
    const role = ACTOR_OF[action] ?? 'system';
    if (role === 'reporter') return { actorRole: role, actorId: reporterId };
    if (role === 'operator' || role === 'dispatcher' || role === 'department' || role === 'supervisor')
      return { actorRole: role, actorId: opts.staffOf?.(role) ?? null };
    return { actorRole: role, actorId: null };
  };
  const events: CaseEvent[] = [];
  let state = 'pending';
  let t = opts.start + (i / n) * span + rnd.next() * 30 * MIN;
  const add = (action: string, to: string | null, after: number, data: Record<string, unknown> | null = null) => {
    t += after;
    events.push({
      seq: events.length + 1,
      action,
      from: events.length ? state : null,
      to: to ?? state,
      at: new Date(t),
      ...actor(action),
      publicNote: null,
      internalNote: null,
      photoIds: action === 'submit' ? photoIds : [],
      data,
      dims: { ...dims },
    });
    if (to) state = to;
  };
  const setDeadline = (from: number, limit = category.timeLimit) => {
    dims.deadline = computeDeadline(new Date(from), limit, city.calendar);
  };

  add('submit', 'pending', 0);
  const screen = rnd.between(10 * MIN, 4 * HOUR);
  const s = rnd.next();
  if (s < 0.03) add('withdraw', 'withdrawn', screen);
  else if (s < 0.08) add('reject', 'rejected', screen);
  else if (s < 0.11) add('merge', 'rejected', screen);
  else {
    dims.departmentId = category.defaultDepartmentId;
    setDeadline(t + screen);
    add('file', 'filed', screen);
    const limitMs = dims.deadline!.getTime() - t;
    if (rnd.chance(0.01)) add('void', 'rejected', rnd.between(HOUR, 24 * HOUR));
    else if (rnd.chance(0.04)) {
      add('forward', 'forwarded', rnd.between(5 * MIN, HOUR), { targetId: 'bench-external', auto: false });
      add('external_update', 'closed', rnd.between(0.3, 1.5) * limitMs);
    } else {
      let cycles = rnd.chance(0.015) ? 2 : 1;
      add('dispatch', 'dispatched', rnd.between(5 * MIN, HOUR));
      if (rnd.chance(0.04)) {
        dims.departmentId = null;
        add('return', 'filed', HOUR);
        dims.departmentId = category.defaultDepartmentId;
        add('dispatch', 'dispatched', rnd.between(10 * MIN, 2 * HOUR));
      }
      const leftOpen = rnd.chance(0.01);
      while (cycles > 0 && !leftOpen) {
        if (rnd.chance(0.5)) add('accept_task', 'processing', rnd.between(5 * MIN, 2 * HOUR));
        if (rnd.chance(0.1)) {
          const approve = rnd.chance(0.8);
          add('request_postpone', null, rnd.between(0.1, 0.5) * limitMs);
          if (approve) {
            setDeadline(Math.max(dims.deadline!.getTime(), t), { value: 1, unit: 'work_days' });
            add('approve_postpone', 'postponed', rnd.between(10 * MIN, 2 * HOUR));
          } else add('deny_postpone', null, rnd.between(10 * MIN, 2 * HOUR));
        }
        add('report_handled', 'handled', -Math.log(1 - rnd.next()) * 0.6 * limitMs);
        if (rnd.chance(0.05)) {
          add('verify_fail', 'processing', rnd.between(HOUR, 24 * HOUR));
          add('report_handled', 'handled', rnd.between(2 * HOUR, 24 * HOUR));
        }
        add(source === 'citizen' && rnd.chance(0.3) ? 'confirm_fixed' : 'verify_pass', 'closed', rnd.between(HOUR, 48 * HOUR));
        cycles -= 1;
        if (cycles > 0) {
          add('request_reopen', null, rnd.between(HOUR, 72 * HOUR));
          setDeadline(t);
          add('accept_reopen', 'dispatched', rnd.between(10 * MIN, 4 * HOUR));
        }
      }
      if (state === 'closed' && source === 'citizen' && rnd.chance(0.25)) {
        const score = rnd.chance(0.8) ? 4 + Math.floor(rnd.next() * 2) : 1 + Math.floor(rnd.next() * 3);
        add('rate', null, rnd.between(HOUR, 72 * HOUR), { score });
      }
    }
  }
  if (rnd.chance(0.1)) {
    const backers = 1 + Math.floor(rnd.next() * 3);
    for (let b = 0; b < backers; b += 1) {
      const at = events[0]!.at.getTime() + rnd.between(MIN, 12 * HOUR);
      const idx = events.findIndex((e) => e.at.getTime() > at);
      if (idx > 0) {
        const before = events[idx - 1]!;
        if (!['withdrawn', 'rejected', 'closed'].includes(before.to)) {
          const citizenId = opts.supporterOf ? opts.supporterOf(i, b) : `b${b}`;
          events.splice(idx, 0, {
            ...before,
            ...actor('support'),
            action: 'support',
            from: before.to,
            to: before.to,
            at: new Date(at),
            publicNote: null,
            internalNote: null,
            photoIds: [],
            data: { citizenId },
          });
        }
      }
    }
    events.forEach((e, k) => (e.seq = k + 1));
  }
  const log = opts.cutAt === undefined ? events : events.filter((e) => e.at.getTime() <= opts.cutAt!);
  if (!log.length) log.push(events[0]!);
  return { events: log, doc: docOf(i, log, { category, grid, source, reporterId, campaignId, photoIds }, opts) };
}

/** The case document the workflow's updates would have left after this event log. */
function docOf(
  i: number,
  events: CaseEvent[],
  c: { category: Category; grid: CityGrid; source: string; reporterId: string | null; campaignId: string | null; photoIds: string[] },
  opts: SynthOptions,
): SynthDoc {
  const last = events[events.length - 1]!;
  const lastOf = (...actions: string[]) => [...events].reverse().find((e) => actions.includes(e.action)) ?? null;
  const at = (action: string) => lastOf(action)?.at ?? null;
  // Fields as the workflow's updates leave them: set by one action, cleared by another.
  const handled = lastOf('report_handled', 'verify_fail', 'accept_reopen');
  const postpone = lastOf('request_postpone', 'approve_postpone', 'deny_postpone', 'return');
  const reopen = lastOf('request_reopen', 'accept_reopen', 'decline_reopen');
  const closing = [...events].reverse().find((e) => e.to === 'closed' && e.from !== 'closed');
  const rated = lastOf('rate');
  const forwarded = lastOf('forward');
  const supporters = events.filter((e) => e.action === 'support').map((e) => String((e.data as { citizenId: string }).citizenId));
  const deadline = last.dims.deadline;
  const clientRequestId = c.reporterId ? `bench${String(i).padStart(8, '0')}` : null;
  return {
    // An id of the case's creation time, as one made when it was created.
    _id: new Types.ObjectId(Types.ObjectId.generate(Math.floor(events[0]!.at.getTime() / 1000))),
    caseNo: `B${String(i).padStart(8, '0')}`,
    source: c.source as CaseDoc['source'],
    reporterId: c.reporterId,
    open311Client: c.source === 'open311' ? 'bench' : null,
    clientRequestId,
    idempotencyKey: c.reporterId ? `citizen:${c.reporterId}:${clientRequestId}` : `bench:${i}`,
    anonymous: false,
    campaignId: c.campaignId,
    categoryId: c.category.id,
    categoryName: c.category.name,
    family: c.category.family,
    majorCode: c.category.majorCode,
    description: '路面井盖破损，影响通行',
    address: null,
    location: opts.locationOf ? opts.locationOf(c.grid, i) : c.grid.centroid,
    gridId: c.grid.id,
    streetId: c.grid.streetId,
    districtId: c.grid.districtId,
    photoIds: c.photoIds,
    afterPhotoIds: [],
    flaggedPhotoIds: [],
    state: last.to as CaseDoc['state'],
    version: events.length,
    events,
    effects: [],
    supporterIds: supporters,
    supporterCount: supporters.length,
    departmentId: last.dims.departmentId,
    deadline,
    dueAt: deadline ?? NO_DEADLINE,
    filedAt: events.find((e) => e.action === 'file')?.at ?? null,
    dispatchedAt: lastOf('dispatch', 'accept_reopen')?.at ?? null,
    handledAt: handled?.action === 'report_handled' ? handled.at : null,
    closedAt: last.to === 'closed' && closing ? closing.at : null,
    reworkCount: events.filter((e) => e.action === 'verify_fail').length,
    postponeRequest: postpone?.action === 'request_postpone' ? { at: postpone.at, value: 1, unit: 'work_days', reason: '需协调施工单位' } : null,
    reopenRequest: reopen?.action === 'request_reopen' ? { at: reopen.at, note: '问题仍然存在' } : null,
    rejectReason: at('merge') ? 'duplicate' : at('reject') || at('void') ? 'invalid' : null,
    duplicateOf: null,
    rating: rated ? { score: (rated.data as { score: number }).score, comment: '', at: rated.at } : null,
    forwarding: forwarded
      ? { targetId: 'bench-external', targetName: null, at: forwarded.at, auto: false, externalId: null, deliveredAt: forwarded.at }
      : null,
    createdAt: events[0]!.at,
    updatedAt: last.at,
  };
}
