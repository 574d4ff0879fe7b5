import { statsQuerySchema, type StatsCounts, type StatsRates } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';
import { seedDemo } from '../src/seed/demo';
import { TIERS, getRollupModel } from '../src/stats/models';
import { publishedViolations } from './helpers/stats-invariants';

/**
 * The demo city's published statistics, as `npm start` shows them, over real HTTP: for
 * every period the statistics page offers, every month of its charts and every filter
 * the API takes, the figures are consistent (helpers/stats-invariants.ts).
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', STATS_PUBLIC_RATE_PER_MINUTE: '100000' } });
  await seedDemo(api.services);
}, 180_000);
afterAll(async () => {
  await api.close();
});

interface Figures {
  counts: StatsCounts;
  rates: StatsRates;
  children?: Figures[];
  items?: Figures[];
}

async function get(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${api.url}${path}`);
  expect([path, res.status]).toEqual([path, 200]);
  return (await res.json()) as Record<string, unknown>;
}

/** Every figure object in an answer (summary, series points, tree nodes, ranking rows). */
function figuresIn(value: unknown, out: Figures[] = []): Figures[] {
  if (Array.isArray(value)) value.forEach((v) => figuresIn(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.counts && o.rates) out.push(o as unknown as Figures);
    for (const [k, v] of Object.entries(o)) if (k !== 'counts' && k !== 'rates') figuresIn(v, out);
  }
  return out;
}

const month = (offset: number) => {
  const d = new Date();
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
  return m.toISOString().slice(0, 7);
};

describe('the demo city’s public statistics', () => {
  it('are consistent for every period the page offers, every month and every filter', async () => {
    const minCell = api.services.ctx.config.stats.minCell;
    // The page's ranges (近半年, 近一年), the months its charts show, and the default.
    const periods: Record<string, string>[] = [
      { from: month(-5), to: month(0) },
      { from: month(-11), to: month(0) },
      ...[0, -1, -2].map((m) => ({ from: month(m), to: month(m) })),
      {},
    ];
    const [categories, areas, departments] = await Promise.all([
      api.services.catalogue.allCategories(),
      api.services.catalogue.areaTree(),
      api.services.catalogue.listDepartments(),
    ]);
    const streets = areas.districts.flatMap((d) => d.streets);
    const filters: Record<string, string>[] = [
      {},
      ...areas.districts.map((d) => ({ districtId: d.id })),
      ...streets.map((s) => ({ streetId: s.id })),
      ...departments.map((d) => ({ departmentId: d.id })),
      ...[...new Set(categories.map((c) => c.majorCode))].map((majorCode) => ({ majorCode })),
      ...categories.filter((c) => c.publicReportable).map((c) => ({ categoryId: c.id })),
      { family: 'component' },
      { family: 'event' },
      { source: 'citizen' },
    ];
    let checked = 0;
    let nonEmpty = 0;
    for (const period of periods) {
      for (const filter of filters) {
        const query = new URLSearchParams({ ...period, ...filter }).toString();
        const cuts = filter && Object.keys(filter).length ? ['summary'] : ['summary', 'timeseries', 'categories', 'areas', 'departments'];
        for (const cut of cuts) {
          for (const f of figuresIn(await get(`/stats/public/${cut}?${query}`))) {
            expect([cut, query, publishedViolations(f.counts, f.rates, minCell)]).toEqual([cut, query, []]);
            checked += 1;
            if (f.counts.reported) nonEmpty += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
    // Something is published: the demo's 60 reports are not all suppressed.
    expect(nonEmpty).toBeGreaterThan(5);
    const year = await get(`/stats/public/summary?from=${month(-11)}&to=${month(0)}`);
    expect((year.counts as StatsCounts).reported).toBeGreaterThanOrEqual(30);
  }, 300_000);

  it('rebuilds once, at start, rollups written before public statistics read cohort rows', async () => {
    const cohort = getRollupModel(
      api.db,
      TIERS.find((t) => t.cohort)!,
    );
    const before = await api.services.stats.summary(statsQuerySchema.parse({}), { kind: 'public' });
    await cohort.deleteMany({});
    expect(await api.services.stats.upgradeIfNeeded()).toBe(true);
    expect(await cohort.countDocuments({})).toBeGreaterThan(0);
    expect(await api.services.stats.upgradeIfNeeded()).toBe(false);
    const after = await api.services.stats.summary(statsQuerySchema.parse({}), { kind: 'public' });
    expect(after.counts).toEqual(before.counts);
  }, 120_000);
});
