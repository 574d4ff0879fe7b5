import { emptySums, type RollupSums, type StatsQueryInput } from '@ssp/shared';
import type { CatalogueService } from '../src/catalogue/service';
import { StatsCuts } from '../src/stats/cuts';
import type { Entry, Resolved, StatsReader, StatsScope } from '../src/stats/reader';

/** A reader whose published entries and day the test sets; figures are the reported count only. */
function fakeReader() {
  const state = { entries: [] as Entry[], today: '2026-03-02', totals: 0 };
  const reader = {
    resolve: async (): Promise<Resolved> => ({ from: '2025-04-01', to: '2026-03-31', granularity: 'month', filters: {} }),
    envelope: (r: Resolved, scope: StatsScope) => ({
      range: { from: r.from, to: r.to },
      filters: r.filters,
      asOf: state.today,
      suppression: scope.kind === 'public' ? {} : null,
    }),
    entries: async () => state.entries,
    total: (entries: readonly Entry[]) => {
      state.totals += 1;
      return entries.reduce((n, e) => ({ ...n, reported: n.reported + e.sums.reported }), emptySums());
    },
    figures: (sums: RollupSums) => ({ counts: { reported: sums.reported } }),
  };
  return { state, reader: reader as unknown as StatsReader };
}

const entriesOf = (reported: number): Entry[] => [{ period: null, path: [], sums: { ...emptySums(), reported } }];
const query = {} as StatsQueryInput;

describe('public summary answers kept while their published cells are the same', () => {
  it('reuses the answer for the same entries and day, and makes a new one when the cells are published again', async () => {
    const { state, reader } = fakeReader();
    const cuts = new StatsCuts(reader, {} as CatalogueService);
    state.entries = entriesOf(7);
    const first = await cuts.summary(query, { kind: 'public' });
    expect(first.counts.reported).toBe(7);
    expect(await cuts.summary(query, { kind: 'public' })).toBe(first);
    expect(state.totals).toBe(1);

    // Re-published cells: the reader hands out a new entries array.
    state.entries = entriesOf(12);
    const republished = await cuts.summary(query, { kind: 'public' });
    expect(republished.counts.reported).toBe(12);

    // The next day: the same cells, a new asOf.
    state.today = '2026-03-03';
    const nextDay = await cuts.summary(query, { kind: 'public' });
    expect(nextDay.asOf).toBe('2026-03-03');
    expect(nextDay.counts.reported).toBe(12);
  });

  it('never keeps staff answers (they are read from the rollups each time)', async () => {
    const { state, reader } = fakeReader();
    const cuts = new StatsCuts(reader, {} as CatalogueService);
    state.entries = entriesOf(3);
    const a = await cuts.summary(query, { kind: 'staff' });
    const b = await cuts.summary(query, { kind: 'staff' });
    expect(a).not.toBe(b);
    expect(state.totals).toBe(2);
  });
});
