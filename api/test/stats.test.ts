import { randomUUID } from 'node:crypto';
import { statsQuerySchema, type Category, type StaffAction } from '@ssp/shared';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, uploadPhotos } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import type { Principal } from '../src/auth/tokens';
import { PUBLIC_CACHE_MS, REFRESH_AHEAD_MS } from '../src/stats/service';
import { seededRandom } from '../src/core/seeded-random';
import { rollupSnapshot } from './helpers/stats-invariants';
import { TIERS, getRollupModel } from '../src/stats/models';
import { toCaseView, toEventMessage } from '../src/cases/events';

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

// Monday 2026-03-02 09:00 in Beijing. The clock only moves forward in this file.
const clock = new TestClock(new Date('2026-03-02T01:00:00Z'));
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
let grids: { id: string; streetId: string; districtId: string; centroid: { lat: number; lng: number } }[];
let categories: Category[];
let departments: string[];

const operator: StaffPrincipal = { kind: 'staff', userId: 'op-1', role: 'operator' };
const dispatcher: StaffPrincipal = { kind: 'staff', userId: 'disp-1', role: 'dispatcher' };
const supervisor: StaffPrincipal = { kind: 'staff', userId: 'sup-1', role: 'supervisor' };
const handler = (departmentId: string): StaffPrincipal => ({ kind: 'staff', userId: `h-${departmentId}`, role: 'department', departmentId });

const HOUR = 3600_000;

beforeAll(async () => {
  api = await startTestApi({ clock, env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100' } });
  city = await demoCity(api);
  const tree = await api.services.catalogue.areaTree();
  grids = tree.districts.flatMap((d) =>
    d.streets.flatMap((s) => s.grids.map((g) => ({ id: g.id, streetId: s.id, districtId: d.id, centroid: g.centroid }))),
  );
  categories = (await api.services.catalogue.allCategories()).filter((c) => c.publicReportable);
  departments = city.departmentIds;
});
afterAll(async () => {
  await api.close();
});

/** A new report through the workflow (as the report API files it), in a chosen grid and category. */
async function newCase(opts: { grid: (typeof grids)[number]; category: Category; reporterId: string; campaignId?: string }): Promise<string> {
  const doc = await api.services.workflow.create(
    {
      source: 'citizen',
      reporterId: opts.reporterId,
      clientRequestId: randomUUID(),
      idempotencyKey: `test:${randomUUID()}`,
      anonymous: false,
      campaignId: opts.campaignId ?? null,
      categoryId: opts.category.id,
      categoryName: opts.category.name,
      family: opts.category.family,
      majorCode: opts.category.majorCode,
      description: '私人描述，不应公开',
      address: '某小区 3 栋门口',
      location: opts.grid.centroid,
      gridId: opts.grid.id,
      streetId: opts.grid.streetId,
      districtId: opts.grid.districtId,
      photoIds: [],
    },
    { role: 'reporter', id: opts.reporterId },
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  return String(doc._id);
}

type ActionInput = StaffAction extends infer A ? (A extends { version: number } ? Omit<A, 'version'> : never) : never;

async function act(who: StaffPrincipal, id: string, input: ActionInput) {
  const { version } = await api.services.workflow.get(id);
  return api.services.cases.act(who, id, { ...input, version } as StaffAction);
}

async function handled(id: string) {
  const doc = await api.services.workflow.get(id);
  return api.services.workflow.transition(id, {
    action: 'report_handled',
    actor: { role: 'department', id: `h-${doc.departmentId}` },
    publicNote: '已处理',
    set: { handledAt: clock.now() },
  });
}

/** file → dispatch → handled → verified, optionally late. */
async function fullCase(opts: Parameters<typeof newCase>[0] & { departmentId: string; late?: boolean }): Promise<string> {
  const id = await newCase(opts);
  await act(operator, id, { action: 'file', departmentId: opts.departmentId });
  await act(dispatcher, id, { action: 'dispatch', departmentId: opts.departmentId });
  if (opts.late) {
    const { deadline } = await api.services.workflow.get(id);
    clock.set(new Date(deadline!.getTime() + HOUR));
  }
  await handled(id);
  await act(supervisor, id, { action: 'verify_pass' });
  return id;
}

const snapshot = () => rollupSnapshot(api);

/** A deterministic pseudo-random sequence (mulberry32). */
function seeded(seed: number) {
  const next = seededRandom(seed);
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!, chance: (p: number) => next() < p };
}

describe('indicators end to end (staff view, March 2026)', () => {
  it('computes counts and rates from the events of four cases, as defined in shared/src/indicators.ts', async () => {
    const [grid] = grids;
    const category = categories.find((c) => c.timeLimit.unit !== 'work_days') ?? categories[0]!;
    const dept = departments[0]!;
    await fullCase({ grid: grid!, category, reporterId: 'cit-a', departmentId: dept }); // on time
    await fullCase({ grid: grid!, category, reporterId: 'cit-b', departmentId: dept, late: true }); // late
    const rejected = await newCase({ grid: grid!, category, reporterId: 'cit-c' });
    await act(operator, rejected, { action: 'reject', reason: 'invalid', publicNote: '照片无法辨认' });
    const open = await newCase({ grid: grid!, category, reporterId: 'cit-d' });
    await act(operator, open, { action: 'file', departmentId: dept });
    await act(dispatcher, open, { action: 'dispatch', departmentId: dept });
    clock.set('2026-03-20T01:00:00Z'); // every deadline of the month's first days has passed

    const res = await getJson(api, '/stats/staff/summary?from=2026-03&to=2026-03', (await staffLogin(api, 'supervisor')).auth);
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({
      reported: 4,
      accepted: 4,
      filed: 3,
      rejected: 1,
      handled: 2,
      closures: 2,
      due: 3,
      closed: 2,
      onTime: 1,
      overdue: 2,
      overdueOpen: 1,
    });
    expect(res.body.rates.filingRate.percent).toBe(75);
    expect(res.body.rates.handlingRate.percent).toBe(50);
    expect(res.body.rates.closureRate.percent).toBe(66.67);
    expect(res.body.rates.onTimeRate.percent).toBe(33.33);
    expect(res.body.rates.satisfaction).toEqual({ ratio: null, percent: null });
    expect(res.body.durations.count).toBe(2);
    expect(res.body.suppression).toBeNull();
  });
});

describe('incremental rollups against a rebuild from the event logs (April 2026)', () => {
  it('gives the same rollups field by field after a seeded random sequence of case events on 30 cases', async () => {
    clock.set('2026-04-01T01:00:00Z');
    const rnd = seeded(20260401);
    const useGrids = grids.slice(0, 4);
    const useCategories = categories.slice(0, 4);
    const citizens = Array.from({ length: 8 }, (_, i) => `cit-${i}`);
    const ids: string[] = [];
    const reopenedOnce = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 30; i += 1) {
      ids.push(
        await newCase({
          grid: rnd.pick(useGrids),
          category: rnd.pick(useCategories),
          reporterId: rnd.pick(citizens),
          campaignId: rnd.chance(0.2) ? 'camp-spring' : undefined,
        }),
      );
      clock.advance(rnd.next() * 3 * HOUR);
    }
    const active = new Set(ids);
    for (let step = 0; step < 400 && active.size; step += 1) {
      const id = rnd.pick([...active]);
      const doc = await api.services.workflow.get(id);
      const dept = rnd.pick(departments.slice(0, 3));
      const open = ['pending', 'filed', 'dispatched', 'processing', 'postponed', 'handled'].includes(doc.state);
      if (open && rnd.chance(0.1)) {
        await api.services.workflow.support(id, `backer-${Math.floor(rnd.next() * 20)}`, { role: 'citizen', id: null });
        seen.add('support');
        continue;
      }
      switch (doc.state) {
        case 'pending': {
          const targets = ids.filter((t) => t !== id);
          const r = rnd.next();
          if (r < 0.65) await act(operator, id, { action: 'file', departmentId: dept });
          else if (r < 0.75) await act(operator, id, { action: 'reject', reason: 'invalid', publicNote: '无效' });
          else if (r < 0.9) {
            const target = await api.services.workflow.get(rnd.pick(targets));
            if (['pending', 'filed', 'dispatched', 'processing', 'postponed', 'handled'].includes(target.state)) {
              await act(operator, id, { action: 'merge', duplicateOf: String(target._id) });
              seen.add('merge');
            }
          } else await api.services.reports.withdraw(doc.reporterId!, id);
          break;
        }
        case 'filed':
          if (rnd.chance(0.12)) {
            await act(operator, id, { action: 'void', publicNote: '经核实为虚假上报' });
            seen.add('void');
          } else await act(dispatcher, id, { action: 'dispatch', departmentId: dept });
          break;
        case 'dispatched':
        case 'processing': {
          const h = handler(doc.departmentId!);
          if (doc.postponeRequest) {
            await act(
              dispatcher,
              id,
              rnd.chance(0.6) ? { action: 'approve_postpone', publicNote: '同意延期' } : { action: 'deny_postpone', internalNote: '不符合条件' },
            );
            seen.add('postpone');
          } else {
            const r = rnd.next();
            if (r < 0.15) await act(h, id, { action: 'request_postpone', extra: { value: 1, unit: 'work_days' }, reason: '需协调' });
            else if (r < 0.25 && doc.state === 'dispatched') await act(h, id, { action: 'return', reason: '不属于本单位' });
            else if (r < 0.45 && doc.state === 'dispatched') await act(h, id, { action: 'accept_task' });
            else await handled(id);
          }
          break;
        }
        case 'postponed':
          await handled(id);
          break;
        case 'handled':
          if (rnd.chance(0.25)) {
            await act(supervisor, id, { action: 'verify_fail', internalNote: '未处理到位' });
            seen.add('rework');
          } else await act(supervisor, id, { action: 'verify_pass' });
          break;
        case 'closed':
          if (doc.reopenRequest) {
            await act(operator, id, rnd.chance(0.7) ? { action: 'accept_reopen' } : { action: 'decline_reopen', publicNote: '经核实已修复' });
            reopenedOnce.add(id);
            seen.add('reopen');
          } else if (!doc.rating && !reopenedOnce.has(id) && rnd.chance(0.3)) {
            await api.services.reports.reportNotFixed(doc.reporterId!, id, '没修好');
          } else {
            if (!doc.rating && rnd.chance(0.6)) {
              await api.services.reports.rate(doc.reporterId!, id, 1 + Math.floor(rnd.next() * 5), '');
              seen.add('rate');
            }
            active.delete(id);
          }
          break;
        default:
          active.delete(id);
      }
      clock.advance(rnd.next() * 4 * HOUR);
    }
    expect(clock.now().getTime()).toBeLessThan(Date.parse('2026-05-01T00:00:00+08:00'));
    expect([...seen].sort()).toEqual(['merge', 'postpone', 'rate', 'reopen', 'rework', 'support', 'void']);

    const incremental = await snapshot();
    const staff = (await api.services.stats.summary({ from: '2026-04-01', to: '2026-05-31' }, { kind: 'staff' })).counts;
    expect(staff.reported).toBe(30);
    expect(staff.reworked).toBeGreaterThan(0);
    expect(staff.postponed).toBeGreaterThan(0);
    expect(staff.reopened).toBeGreaterThan(0);
    expect(staff.duplicates).toBeGreaterThan(0);

    // A redelivered effect is not counted twice.
    const sample = await api.services.workflow.get(ids[0]!);
    const last = sample.events[sample.events.length - 1]!;
    await api.services.stats.onCaseEvent(toEventMessage(sample, last), toCaseView(sample), {
      id: `${ids[0]}:${last.seq}:stats`,
      type: 'stats',
      data: { seq: last.seq },
    });
    expect(await snapshot()).toEqual(incremental);

    const before = (await api.services.stats.meta()).active.gen;
    // Small flushes: later ones find rows already written and increment them.
    const result = await api.services.stats.rebuild({ graceMs: 0, flushRows: 7 });
    expect(result.gen).toBe(before + 1);
    expect(result.cases).toBeGreaterThanOrEqual(34);
    const rebuilt = await snapshot();
    expect(Object.keys(rebuilt).length).toBeGreaterThan(50);
    expect(rebuilt).toEqual(incremental);
    // The old generation is gone, the summary reads the new one and agrees.
    for (const tier of TIERS) expect(await getRollupModel(api.db, tier).countDocuments({ g: before })).toBe(0);
    expect((await api.services.stats.summary({ from: '2026-04-01', to: '2026-05-31' }, { kind: 'staff' })).counts).toEqual(staff);

    // Two rebuilds at once: one runs, the other is refused.
    const both = await Promise.allSettled([api.services.stats.rebuild({ graceMs: 200 }), api.services.stats.rebuild({ graceMs: 200 })]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, code: 'STATS_REBUILD_IN_PROGRESS' });
    expect(await snapshot()).toEqual(incremental);
  });
});

/** Keys that must never appear in a public answer. */
const PRIVATE_KEYS =
  /^(description|location|address|reporterId|reporter|openid|unionid|phone|nickname|photo.*|caseNo|events|actorId|comment|supporterIds)$/i;

function walk(value: unknown, visit: (key: string, value: unknown, path: string[]) => void, path: string[] = []): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, [...path, String(i)]));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, path);
      walk(v, visit, [...path, k]);
    }
  }
}

const CASE_COUNTS = ['reported', 'accepted', 'filed', 'handled', 'closed', 'due'] as const;

describe('public statistics: anonymised (May 2026)', () => {
  const caseIds: string[] = [];
  let caseNos: string[] = [];
  let publicGrids: typeof grids;
  let X: Category;
  let Y: Category;
  let D1: string;

  beforeAll(async () => {
    clock.set('2026-05-04T01:00:00Z');
    publicGrids = grids.filter((g) => g.streetId === grids[0]!.streetId).slice(0, 2);
    expect(publicGrids).toHaveLength(2);
    [X, Y] = [
      categories[0]!,
      categories.find((c) => c.family === categories[0]!.family && c.majorCode === categories[0]!.majorCode && c.id !== categories[0]!.id) ??
        categories[1]!,
    ];
    D1 = departments[0]!;
    const [g1, g2] = publicGrids as [(typeof grids)[number], (typeof grids)[number]];
    // Two cells big enough to show (6 cases each, all closed), one small cell (2), and a small mixed one.
    for (let i = 0; i < 6; i += 1) caseIds.push(await fullCase({ grid: g1, category: X, reporterId: `p1-${i}`, departmentId: D1 }));
    for (let i = 0; i < 6; i += 1) caseIds.push(await fullCase({ grid: g2, category: X, reporterId: `p2-${i}`, departmentId: D1 }));
    for (let i = 0; i < 2; i += 1) caseIds.push(await fullCase({ grid: g1, category: Y, reporterId: `p3-${i}`, departmentId: D1 }));
    for (let i = 0; i < 3; i += 1) caseIds.push(await fullCase({ grid: g2, category: Y, reporterId: `p4-${i}`, departmentId: D1 }));
    const rejected = await newCase({ grid: g2, category: Y, reporterId: 'p5' });
    await act(operator, rejected, { action: 'reject', reason: 'invalid', publicNote: '无效' });
    caseIds.push(rejected);

    // One real report over HTTP, with text, location and photo.
    const alice = await loginCitizen(api, 'alice-stats');
    const photoIds = await uploadPhotos(api, alice, 1);
    const res = await postJson(
      api,
      '/reports',
      { categoryId: X.id, description: '我家门口的井盖坏了，电话 13800000000', location: city.point, photoIds, clientRequestId: randomUUID() },
      alice.auth,
    );
    await api.services.relay.settled(); // the new report's effects run after the answer
    expect(res.status).toBe(201);
    caseIds.push(res.body.id);
    const docs = await Promise.all(caseIds.map((id) => api.services.workflow.get(id)));
    caseNos = docs.map((d) => d.caseNo);
    clock.set('2026-06-10T01:00:00Z');
  });

  async function pub(path: string) {
    const res = await getJson(api, path);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('shows only whole cells of at least minCell cases, so no two nested queries differ by a small number', async () => {
    const staff = await getJson(api, '/stats/staff/summary?from=2026-05&to=2026-05', (await staffLogin(api, 'operator')).auth);
    const pubSummary = await pub('/stats/public/summary?from=2026-05&to=2026-05');
    // Staff see all 19 reports; the public the two big cells (12) and the street's 其他 (5, below).
    expect(staff.body.counts.reported).toBe(19);
    expect(pubSummary.counts.reported).toBe(17);
    expect(pubSummary.suppression.minCell).toBe(5);

    const [g1, g2] = publicGrids;
    const options: Record<string, string[]> = {
      gridId: [g1!.id, g2!.id],
      streetId: [g1!.streetId],
      districtId: [g1!.districtId],
      categoryId: [X.id, Y.id],
      majorCode: [X.majorCode],
      family: [X.family],
      departmentId: [D1],
      source: ['citizen'],
    };
    // Every query with up to two filters, and every pair of nested ones.
    const queries: Record<string, string>[] = [{}];
    const keys = Object.keys(options);
    for (const a of keys) {
      for (const va of options[a]!) {
        queries.push({ [a]: va });
        for (const b of keys.filter((k) => k > a)) for (const vb of options[b]!) queries.push({ [a]: va, [b]: vb });
      }
    }
    const answers = new Map<string, Record<string, number>>();
    for (const q of queries) {
      // Through the service: the same code as GET /stats/public/summary, without the rate limit.
      const body = await api.services.stats.summary(statsQuerySchema.parse({ from: '2026-05', to: '2026-05', ...q }), { kind: 'public' });
      for (const c of CASE_COUNTS) expect(body.counts[c] === 0 || body.counts[c] >= 5).toBe(true);
      answers.set(JSON.stringify(q), body.counts as unknown as Record<string, number>);
    }
    let pairs = 0;
    for (const narrow of queries) {
      for (const broad of queries) {
        const nested = Object.entries(broad).every(([k, v]) => narrow[k] === v) && Object.keys(narrow).length > Object.keys(broad).length;
        if (!nested) continue;
        pairs += 1;
        const a = answers.get(JSON.stringify(broad))!;
        const b = answers.get(JSON.stringify(narrow))!;
        for (const c of CASE_COUNTS) {
          const diff = a[c]! - b[c]!;
          expect(diff >= 0 && (diff === 0 || diff >= 5)).toBe(true);
        }
      }
    }
    expect(pairs).toBeGreaterThan(100);

    // Within each answer: rows plus 其他 add up to the total, and no shown row is small.
    for (const cut of ['categories', 'areas']) {
      const filters: Record<string, string>[] = [{}, { districtId: g1!.districtId }, { categoryId: X.id }, { gridId: g2!.id }];
      for (const q of filters) {
        const body = await pub(`/stats/public/${cut}?${new URLSearchParams({ from: '2026-05', to: '2026-05', ...q })}`);
        const total = await pub(`/stats/public/summary?${new URLSearchParams({ from: '2026-05', to: '2026-05', ...q })}`);
        const check = (nodes: { counts: Record<string, number>; children?: unknown[] }[], parent: Record<string, number>) => {
          for (const c of CASE_COUNTS) {
            expect(nodes.reduce((s, n) => s + n.counts[c]!, 0)).toBe(parent[c]);
            for (const n of nodes) expect(n.counts[c] === 0 || n.counts[c]! >= 5).toBe(true);
          }
          for (const n of nodes) if (n.children) check(n.children as never, n.counts);
        };
        check(body.items, total.counts);
      }
    }
    // The small Y cells (2 + 3 closed cases in two grids of one street) merge into the
    // street's 其他, which holds 5 cases and so is shown, each case with its whole funnel;
    // the rejected report and Alice's pending one (no department) stay below the threshold.
    const areas = await pub('/stats/public/areas?from=2026-05&to=2026-05');
    const street = areas.items.flatMap((d: { children: unknown[] }) => d.children).find((s: { id: string }) => s.id === g1!.streetId);
    const other = street.children.find((n: { id: string | null }) => n.id === null);
    expect(other).toMatchObject({ level: 'other', name: '其他', counts: { reported: 5, filed: 5, closed: 5 } });
    expect(
      street.children
        .filter((n: { id: string | null }) => n.id !== null)
        .map((n: { id: string }) => n.id)
        .sort(),
    ).toEqual([g1!.id, g2!.id].sort());
    const ranking = await pub('/stats/public/departments?from=2026-05&to=2026-05');
    expect(ranking.items.map((r: { departmentId: string }) => r.departmentId)).toEqual([D1]);
    expect(ranking.items[0].counts.filed).toBe(17);
    // The small Y cells are not shown as their own category anywhere.
    const cats = await pub('/stats/public/categories?from=2026-05&to=2026-05');
    expect(JSON.stringify(cats)).not.toContain(`"id":"${Y.id}"`);
    const staffCats = await getJson(api, '/stats/staff/categories?from=2026-05&to=2026-05', (await staffLogin(api, 'operator')).auth);
    expect(JSON.stringify(staffCats.body)).toContain(`"id":"${Y.id}"`);
  });

  it('answers every public cut without case text, photo, coordinate, reporter or case id', async () => {
    const centroids = new Set(grids.map((g) => `${g.centroid.lat},${g.centroid.lng}`));
    const paths = ['summary', 'timeseries', 'timeseries?granularity=year', 'categories', 'areas', 'departments', 'map', 'export.json'];
    const secret = new Set([...caseIds, ...caseNos, 'alice-stats', ...Array.from({ length: 6 }, (_, i) => `p1-${i}`)]);
    for (const p of paths) {
      const body = await pub(`/stats/public/${p}${p.includes('?') ? '&' : '?'}from=2026-05&to=2026-05`);
      walk(body, (key, value, path) => {
        expect(key).not.toMatch(PRIVATE_KEYS);
        if (key === 'lat' || key === 'lng') expect(path.at(-1)).toBe('centroid');
        if (key === 'centroid') expect(centroids.has(`${(value as { lat: number }).lat},${(value as { lng: number }).lng}`)).toBe(true);
        if (typeof value === 'string') {
          expect(secret.has(value)).toBe(false);
          expect(value).not.toContain('井盖坏了');
          expect(value).not.toContain('私人描述');
        }
      });
    }
    const map = await pub('/stats/public/map?from=2026-05&to=2026-05');
    expect(map.grids.map((g: { gridId: string }) => g.gridId).sort()).toEqual(publicGrids.map((g) => g.id).sort());
    const csv = await fetch(`${api.url}/stats/public/export.csv?from=2026-05&to=2026-05`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toContain('month,level,districtId');
    for (const s of secret) expect(text).not.toContain(s);
    expect(text).not.toContain('井盖坏了');
  });

  it('sends an ETag and Cache-Control, answers 304 on If-None-Match, and shows new data after five minutes', async () => {
    const first = await getJson(api, '/stats/public/summary');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=300');
    // Revalidation as a cache sends it (fetch() would add Cache-Control: no-cache, an end-to-end reload).
    const revalidate = (tag: string) => fetch(`${api.url}/stats/public/summary`, { headers: { 'If-None-Match': tag, 'Cache-Control': 'max-age=0' } });
    const again = await revalidate(etag);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect((await revalidate(`W/${etag}, "other"`)).status).toBe(304);
    expect((await fetch(`${api.url}/stats/public/summary`, { headers: { 'If-None-Match': etag } })).status).toBe(200);

    // Five new reports in one cell this month: shown once the cached month expires.
    for (let i = 0; i < 5; i += 1) await newCase({ grid: publicGrids[0]!, category: X, reporterId: `late-${i}` });
    expect((await getJson(api, '/stats/public/summary')).headers.get('etag')).toBe(etag);
    clock.advance(6 * 60_000);
    const fresh = await getJson(api, '/stats/public/summary');
    expect(fresh.headers.get('etag')).not.toBe(etag);
    expect(fresh.body.counts.reported).toBe(first.body.counts.reported + 5);
    expect((await revalidate(etag)).status).toBe(200);
  });

  it('re-publishes the cached months ahead of their expiry, so the visitor after it waits for no read', async () => {
    const before = await getJson(api, '/stats/public/summary');
    expect(await api.services.stats.refreshPublished()).toBe(0); // all cells fresh: nothing read
    for (let i = 0; i < 5; i += 1) await newCase({ grid: publicGrids[0]!, category: X, reporterId: `ahead-${i}` });
    clock.advance(PUBLIC_CACHE_MS - REFRESH_AHEAD_MS + 1000);
    expect(await api.services.stats.refreshPublished()).toBe(1); // the current month, due within the margin
    // After the refresh: not in the cells a visitor gets until those expire in turn.
    await newCase({ grid: publicGrids[0]!, category: X, reporterId: 'after-refresh' });
    clock.advance(REFRESH_AHEAD_MS); // the cells published before are past their five minutes now
    const after = await getJson(api, '/stats/public/summary');
    expect(after.body.counts.reported).toBe(before.body.counts.reported + 5);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('rejects bad parameters with 400 and the field at fault', async () => {
    const cases: [string, string][] = [
      ['/stats/public/summary?from=2026-02-30', 'from'],
      ['/stats/public/summary?from=2026-05-03&to=2026-05-31', 'from'],
      ['/stats/public/summary?from=2026-05&to=2026-05-30', 'to'],
      ['/stats/public/timeseries?granularity=day', 'granularity'],
      ['/stats/public/timeseries?granularity=hour', 'granularity'],
      ['/stats/public/summary?from=2026-06&to=2026-05', 'from'],
      ['/stats/public/summary?from=2020-01&to=2026-05', 'to'],
      ['/stats/public/summary?gridId=nope', 'gridId'],
      ['/stats/public/summary?categoryId=C9999', 'categoryId'],
      ['/stats/public/summary?categoryId=bad!', 'categoryId'],
      ['/stats/public/summary?departmentId=no-such-dept', 'departmentId'],
      ['/stats/public/summary?source=fax', 'source'],
      ['/stats/public/summary?family=plant', 'family'],
      ['/stats/public/summary?gridId=a&gridId=b', 'gridId'],
      ['/stats/public/summary?colour=red', 'colour'],
      ['/stats/public/map?majorCode=1', 'majorCode'],
    ];
    for (const [path, field] of cases) {
      const res = await getJson(api, path);
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });
});

describe('staff statistics and scope', () => {
  let op: TestStaff;
  let ownHandler: TestStaff;
  const own = () => departments[0]!;

  beforeAll(async () => {
    op = await staffLogin(api, 'operator');
    ownHandler = await staffLogin(api, 'department', own());
  });

  it('gives day series and unsuppressed trees that add up to their parents', async () => {
    const week = await getJson(api, '/stats/staff/timeseries?from=2026-04-06&to=2026-04-12&granularity=day', op.auth);
    expect(week.status).toBe(200);
    expect(week.body.series.map((p: { period: string }) => p.period)).toEqual([
      '2026-04-06',
      '2026-04-07',
      '2026-04-08',
      '2026-04-09',
      '2026-04-10',
      '2026-04-11',
      '2026-04-12',
    ]);
    const months = await getJson(api, '/stats/staff/timeseries?from=2026-03&to=2026-05&granularity=month', op.auth);
    const summary = await getJson(api, '/stats/staff/summary?from=2026-03&to=2026-05', op.auth);
    expect(months.body.series.reduce((s: number, p: { counts: { reported: number } }) => s + p.counts.reported, 0)).toBe(
      summary.body.counts.reported,
    );
    const weeks = await getJson(api, '/stats/staff/timeseries?from=2026-03-01&to=2026-05-31&granularity=week', op.auth);
    expect(weeks.body.series[0]).toMatchObject({ period: '2026-02-23', from: '2026-03-01', to: '2026-03-01' });
    expect(weeks.body.series.reduce((s: number, p: { counts: { closures: number } }) => s + p.counts.closures, 0)).toBe(summary.body.counts.closures);

    const areas = await getJson(api, '/stats/staff/areas?from=2026-03&to=2026-05', op.auth);
    const sum = (nodes: { counts: { reported: number } }[]) => nodes.reduce((s, n) => s + n.counts.reported, 0);
    expect(sum(areas.body.items)).toBe(summary.body.counts.reported);
    for (const d of areas.body.items) {
      expect(sum(d.children)).toBe(d.counts.reported);
      for (const s of d.children) expect(sum(s.children)).toBe(s.counts.reported);
    }
    const ranking = await getJson(api, '/stats/staff/departments?from=2026-03&to=2026-05', op.auth);
    expect(ranking.body.items.length).toBeGreaterThan(0);
    expect(ranking.body.items.map((r: { rank: number }) => r.rank)).toEqual(ranking.body.items.map((_: unknown, i: number) => i + 1));
    const scores = ranking.body.items.map((r: { composite: { score: number | null } }) => r.composite.score ?? -1);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(ranking.body.items.some((r: { filedScore: number }) => r.filedScore === 100)).toBe(true);
  });

  it('limits a department handler to its own department', async () => {
    const mine = await getJson(api, '/stats/staff/summary?from=2026-03&to=2026-05', ownHandler.auth);
    const filtered = await getJson(api, `/stats/staff/summary?from=2026-03&to=2026-05&departmentId=${own()}`, op.auth);
    const all = await getJson(api, '/stats/staff/summary?from=2026-03&to=2026-05', op.auth);
    expect(mine.status).toBe(200);
    expect(mine.body.counts).toEqual(filtered.body.counts);
    expect(mine.body.counts.filed).toBeLessThan(all.body.counts.filed);
    expect(mine.body.filters.departmentId).toBe(own());

    const other = await getJson(api, `/stats/staff/summary?departmentId=${departments[1]}`, ownHandler.auth);
    expect(other.status).toBe(403);
    const ranking = await getJson(api, '/stats/staff/departments?from=2026-03&to=2026-05', ownHandler.auth);
    expect(ranking.body.items.map((r: { departmentId: string }) => r.departmentId)).toEqual([own()]);
    expect(ranking.body.of).toBeGreaterThan(1);
    expect(ranking.body.other).toBeNull();

    const page = await getJson(api, '/stats/staff/cases?from=2026-03&to=2026-05&limit=100', ownHandler.auth);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
    expect(page.body.items.every((i: { departmentId: string }) => i.departmentId === own())).toBe(true);
  });

  it('pages through the cases behind a figure with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof getJson>> = await getJson(
        api,
        `/stats/staff/cases?from=2026-04&to=2026-04&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        op.auth,
      );
      expect(res.status).toBe(200);
      for (const item of res.body.items) {
        expect(Object.keys(item).sort()).toEqual([
          'caseNo',
          'categoryId',
          'categoryName',
          'createdAt',
          'deadline',
          'departmentId',
          'gridId',
          'id',
          'overdue',
          'state',
        ]);
        seen.push(item.id);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    const grid = grids[0]!.id;
    const inGrid = await getJson(api, `/stats/staff/cases?from=2026-03&to=2026-06&gridId=${grid}&limit=100`, op.auth);
    expect(inGrid.body.items.length).toBeGreaterThan(0);
    expect(inGrid.body.items.every((i: { gridId: string }) => i.gridId === grid)).toBe(true);
    const overdue = await getJson(api, '/stats/staff/cases?from=2026-03&to=2026-06&overdue=true&limit=100', op.auth);
    expect(overdue.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    expect((await getJson(api, '/stats/staff/cases?cursor=@@@', op.auth)).status).toBe(400);
  });

  it('lets staff roles in and keeps citizens and anonymous callers out', async () => {
    for (const role of ['publicity', 'admin', 'dispatcher', 'supervisor'] as const) {
      expect((await getJson(api, '/stats/staff/summary', (await staffLogin(api, role)).auth)).status).toBe(200);
    }
    const citizen = await loginCitizen(api, 'bob-stats');
    expect((await getJson(api, '/stats/staff/summary', citizen.auth)).status).toBe(403);
    expect((await getJson(api, '/stats/staff/summary')).status).toBe(401);
    expect((await getJson(api, '/stats/staff/cases')).status).toBe(401);
  });
});

describe('public rate limit', () => {
  it('answers 429 with Retry-After past the per-minute limit, and again after the minute', async () => {
    const limitedClock = new TestClock(new Date('2026-06-10T01:00:30Z'));
    const limited = await startTestApi({ clock: limitedClock, env: { STATS_PUBLIC_RATE_PER_MINUTE: '3' } });
    try {
      for (let i = 0; i < 3; i += 1) expect((await getJson(limited, '/stats/public/summary')).status).toBe(200);
      const refused = await getJson(limited, '/stats/public/map');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.headers.get('retry-after')).toBe('30');
      limitedClock.advance(30_000);
      expect((await getJson(limited, '/stats/public/summary')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
