/**
 * Group commit (core/group-commit.ts): concurrent writes of the case effects (statistics,
 * message centre, clearing handled effects) share one flush. First the batching rules with a
 * flush function of the test's own, then 40 concurrent transitions through the services on
 * the real database, watched with the driver's command monitoring.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { mongo, type Connection } from 'mongoose';
import type { Category, StaffAction } from '@ssp/shared';
import { GroupCommit, unorderedBulk } from '../src/core/group-commit';
import { createLogger } from '../src/core/logger';
import { createServices, type Services } from '../src/services';
import { getCaseModel } from '../src/cases/models';
import { toCaseView, toEventMessage } from '../src/cases/events';
import { getCitizenMessageModel } from '../src/notifications/models';
import { LogCapture, startTestApi, TestClock, type TestApi } from './helpers/harness';
import { demoCity } from './helpers/city';
import { rollupSnapshot } from './helpers/stats-invariants';

jest.setTimeout(60_000);

describe('GroupCommit', () => {
  /** A flush that waits for the test to open it, recording each batch; multiples of 5 fail alone. */
  function gatedFlush() {
    const batches: number[][] = [];
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    const commit = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await gate;
      return items.map((i) => (i % 5 === 0 ? { status: 'rejected', reason: new Error(`item ${i}`) } : { status: 'fulfilled', value: i * 2 }));
    });
    return {
      batches,
      commit,
      release() {
        open();
        gate = new Promise<void>((resolve) => (open = resolve));
      },
    };
  }

  it('flushes callers of the same tick together, and those arriving during a flush in the next one', async () => {
    const { batches, commit, release } = gatedFlush();
    const first = [1, 2, 3].map((i) => commit.submit(i));
    await Promise.resolve();
    await Promise.resolve();
    expect(batches).toEqual([[1, 2, 3]]);
    // Arriving while the first flush is under way: they wait for it, then go together.
    const later = [4, 5, 6, 7].map((i) => commit.submit(i));
    release();
    expect(await Promise.all(first)).toEqual([2, 4, 6]);
    release();
    const settled = await Promise.allSettled(later);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7],
    ]);
    // One item's failure is that item's alone.
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('item 5');
  });

  it('caps a batch at its maximum and keeps going after a flush that threw', async () => {
    let calls = 0;
    const sizes: number[] = [];
    const commit = new GroupCommit<number>(
      async (items) => {
        calls += 1;
        sizes.push(items.length);
        if (calls === 1) throw new Error('database unreachable');
        return items.map(() => ({ status: 'fulfilled', value: undefined }));
      },
      { maxBatch: 10 },
    );
    const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => commit.submit(i)));
    expect(sizes).toEqual([10, 10, 5]);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(10);
    // A lone caller later is flushed at once, on its own.
    await commit.submit(99);
    expect(sizes).toEqual([10, 10, 5, 1]);
  });
  it('starts the next batch beside a flush that is slower than the longest wait', async () => {
    const started: number[][] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const commit = new GroupCommit<number>(
      async (items) => {
        started.push(items);
        if (items.includes(1)) await stuck; // the first flush hangs (a database that is down)
        return items.map(() => ({ status: 'fulfilled', value: undefined }));
      },
      { maxWaitMs: 30 },
    );
    const first = commit.submit(1);
    await Promise.resolve();
    const t0 = performance.now();
    await Promise.all([commit.submit(2), commit.submit(3)]);
    const waited = performance.now() - t0;
    expect(started).toEqual([[1], [2, 3]]);
    expect(waited).toBeGreaterThanOrEqual(25);
    expect(waited).toBeLessThan(1000);
    release();
    await first;
  });
});

describe('unorderedBulk', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('fails only the operations the server refused', async () => {
    const coll = api.db.collection('bulk_probe');
    await coll.insertOne({ _id: 'taken' } as never);
    const inserted = await unorderedBulk(3, () => coll.insertMany([{ _id: 'a' }, { _id: 'taken' }, { _id: 'b' }] as never[], { ordered: false }));
    expect(inserted.map((e) => (e ? (e as { code?: number }).code : null))).toEqual([null, 11000, null]);
    expect(await coll.countDocuments({ _id: { $in: ['a', 'b'] } } as never)).toBe(2);
    // Conditional upserts: a refused condition on an existing document is a duplicate key.
    const upserts = await unorderedBulk(3, () =>
      coll.bulkWrite(
        [
          { updateOne: { filter: { _id: 'a', n: { $ne: 1 } }, update: { $set: { n: 1 } }, upsert: true } },
          { updateOne: { filter: { _id: 'c' }, update: { $set: { n: 1 } }, upsert: true } },
          { updateOne: { filter: { _id: 'a', n: { $ne: 1 } }, update: { $set: { n: 2 } }, upsert: true } },
        ] as never[],
        { ordered: false },
      ),
    );
    expect(upserts.map((e) => (e ? (e as { code?: number }).code : null))).toEqual([null, null, 11000]);
  });

  it('fails every operation when the error does not say which were written (a lost connection)', async () => {
    // What the driver throws when the connection drops during a bulk write: its bulk error class around the network error.
    const networkError = new mongo.MongoNetworkError('connection closed');
    const lost = new mongo.MongoBulkWriteError(networkError, {
      insertedCount: 0,
      matchedCount: 0,
      upsertedCount: 0,
    } as never);
    const errors = await unorderedBulk(3, () => Promise.reject(lost));
    // The driver's network error itself, which the error middleware answers with 503.
    expect(errors).toEqual([networkError, networkError, networkError]);
    expect(errors[0]).toBeInstanceOf(mongo.MongoNetworkError);
  });
});

describe('case effects written in groups (real database)', () => {
  const clock = new TestClock(new Date('2026-06-01T02:00:00Z'));
  let api: TestApi;
  let monitored: Connection;
  let services: Services;
  let commands: { name: string; collection: string; command: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    api = await startTestApi({ clock });
    await demoCity(api);
    // The same services on a connection of their own whose commands the test can watch.
    monitored = mongoose.createConnection(api.config.mongodbUri, { monitorCommands: true, maxPoolSize: api.config.mongodbMaxPoolSize });
    await monitored.asPromise();
    monitored.getClient().on('commandStarted', (e) => {
      commands.push({ name: e.commandName, collection: String(e.command[e.commandName]), command: e.command as Record<string, unknown> });
    });
    services = createServices({ config: api.config, db: monitored, logger: createLogger('warn', new LogCapture()), clock });
  });
  afterAll(async () => {
    await monitored.close();
    await api.close();
  });

  const count = (name: string, collection: string, also: (c: Record<string, unknown>) => boolean = () => true) =>
    commands.filter((c) => c.name === name && c.collection === collection && also(c.command)).length;

  it('creates and files 40 cases at once with far fewer commands than cases, and the same figures as a rebuild', async () => {
    const categories = (await services.catalogue.allCategories()).filter((c: Category) => c.publicReportable);
    const tree = await services.catalogue.areaTree();
    const grids = tree.districts.flatMap((d) => d.streets.flatMap((s) => s.grids.map((g) => ({ g, s, d }))));
    const [department] = await services.catalogue.listDepartments();
    const newCase = (i: number, idempotencyKey = `test:${randomUUID()}`) => {
      const category = categories[i % categories.length]!;
      const { g, s, d } = grids[i % grids.length]!;
      return services.workflow.create(
        {
          source: 'citizen',
          reporterId: `group-${i}`,
          clientRequestId: randomUUID(),
          idempotencyKey,
          anonymous: false,
          campaignId: null,
          categoryId: category.id,
          categoryName: category.name,
          family: category.family,
          majorCode: category.majorCode,
          description: '路面破损',
          address: null,
          location: g.centroid,
          gridId: g.id,
          streetId: s.id,
          districtId: d.id,
          photoIds: [],
        },
        { role: 'reporter', id: `group-${i}` },
      );
    };

    // 40 reports at once: consecutive case numbers of the day, each once, from a few counter updates and inserts.
    commands = [];
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => newCase(i)));
    await services.relay.settled(); // their effects run after creation: counted apart from the filings' below
    const ids = created.map((c) => String(c._id));
    const numbers = created.map((c) => Number(c.caseNo.split('-')[1])).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => numbers[0]! + i));
    expect(created[0]!.caseNo.startsWith('20260601-')).toBe(true);
    const creation = { counters: count('findAndModify', 'counters'), inserts: count('insert', 'cases') };
    for (const [what, n] of Object.entries(creation)) expect([what, n >= 1 && n <= 20]).toEqual([what, true]);
    expect(await getCaseModel(api.db).countDocuments({ _id: { $in: ids } })).toBe(40);

    // Two copies of one intent in the same batch: one case; the other fails on the unique key, as alone.
    const key = `test:${randomUUID()}`;
    const copies = await Promise.allSettled([newCase(40, key), newCase(40, key)]);
    expect(copies.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((copies.find((c) => c.status === 'rejected') as PromiseRejectedResult).reason.code).toBe(11000);
    expect(await getCaseModel(api.db).countDocuments({ idempotencyKey: key })).toBe(1);

    commands = [];
    const operator = { kind: 'staff' as const, userId: 'op-group', role: 'operator' as const };
    const filed = await Promise.all(
      ids.map((id) => services.cases.act(operator, id, { action: 'file', departmentId: department!.id, version: 1 } as StaffAction)),
    );
    expect(filed.map((c) => c.state)).toEqual(ids.map(() => 'filed'));
    const pulls = count('update', 'cases', (c) => (c.updates as { u: Record<string, unknown> }[]).some((u) => '$pull' in u.u));
    const counts = {
      markers: count('insert', 'stats_processed_effects'),
      cityMonth: count('update', 'stats_rollup_month_city'),
      messages: count('insert', 'citizen_messages'),
      pulls,
    };
    // Without grouping each is 40; every group is at least one.
    for (const [what, n] of Object.entries(counts)) {
      expect([what, n >= 1 && n <= 20]).toEqual([what, true]);
    }
    const left = await getCaseModel(api.db)
      .find({ _id: { $in: ids } }, { effects: 1 })
      .lean();
    expect(left.flatMap((c) => c.effects)).toEqual([]);
    const messages = await getCitizenMessageModel(api.db).countDocuments({ citizenId: { $in: ids.map((_, i) => `group-${i}`) } });
    expect(messages).toBe(80); // 已收到 and 已受理立案 for each

    // Redelivering every 立案 event at once (a sweep after a crash) counts none of them again.
    const incremental = await rollupSnapshot(api);
    const docs = await getCaseModel(api.db)
      .find({ _id: { $in: ids } })
      .lean();
    await Promise.all(
      docs.map((doc) => {
        const last = doc.events[doc.events.length - 1]!;
        return services.stats.onCaseEvent(toEventMessage(doc, last), toCaseView(doc), {
          id: `${String(doc._id)}:${last.seq}:stats`,
          type: 'stats',
          data: { seq: last.seq },
        });
      }),
    );
    expect(await rollupSnapshot(api)).toEqual(incremental);
    expect(incremental['month_city|2026-06']).toMatchObject({ reported: 41, filed: 40 });

    // The grouped increments are exactly what a rebuild from the event logs gives.
    clock.advance(3_600_000); // the rebuild replays the events before its cutoff
    await services.stats.rebuild({ graceMs: 0 });
    expect(await rollupSnapshot(api)).toEqual(incremental);
  });
});
