/**
 * The one keyset pagination of every list (api/src/core/pagination.ts), on a real
 * database: pages in order with ties on the sort field, no item twice or missed, and a
 * bad cursor refused as 400 VALIDATION_FAILED on `cursor`. The lists themselves are
 * paged in reports, stats, points and rewards tests.
 */
import { Types, type Connection } from 'mongoose';
import { ApiError } from '../src/core/errors';
import { keyset, type Keyset } from '../src/core/pagination';
import { openTestDatabase } from './helpers/harness';

interface Row {
  _id: Types.ObjectId;
  at: Date;
  seq: number;
}

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Connection;
const rows: Row[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  db = database.db;
  // 23 rows, sort values repeating (ties are what the `_id` tie-break is for).
  const base = Date.parse('2026-05-01T00:00:00Z');
  for (let i = 0; i < 23; i += 1) rows.push({ _id: new Types.ObjectId(), at: new Date(base + (i % 5) * 60_000), seq: i % 4 });
  await db.collection<Row>('paging').insertMany(rows);
});
afterAll(async () => {
  await database?.drop();
});

async function pageAll(order: Keyset<Row>, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const docs: Row[] = await db
      .collection<Row>('paging')
      .find(order.after(cursor))
      .sort(order.sort)
      .limit(limit + 1)
      .toArray();
    const page: { items: Row[]; nextCursor: string | null } = order.page(docs, limit);
    ids.push(...page.items.map((r) => String(r._id)));
    cursor = page.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { ids, pages };
}

const sortedIds = (compare: (a: Row, b: Row) => number) => [...rows].sort(compare).map((r) => String(r._id));
const byId = (a: Row, b: Row) => String(a._id).localeCompare(String(b._id));

describe('keyset pagination', () => {
  it.each([
    ['a date, ascending', keyset<Row, 'date'>('at', 1, 'date'), (a: Row, b: Row) => a.at.getTime() - b.at.getTime() || byId(a, b)],
    ['a date, descending', keyset<Row, 'date'>('at', -1, 'date'), (a: Row, b: Row) => b.at.getTime() - a.at.getTime() || byId(b, a)],
    ['a number, descending', keyset<Row, 'number'>('seq', -1, 'number'), (a: Row, b: Row) => b.seq - a.seq || byId(b, a)],
    ['_id alone, descending', keyset<Row>('_id', -1), (a: Row, b: Row) => byId(b, a)],
  ] as const)('pages through %s: every row once, in order, across ties', async (_name, order, compare) => {
    for (const limit of [1, 4, 7, 23, 50]) {
      const { ids, pages } = await pageAll(order, limit);
      expect(ids).toEqual(sortedIds(compare));
      expect(pages).toBe(Math.max(1, Math.ceil(rows.length / limit)));
    }
  });

  it('writes an opaque base64url cursor and none after the last page', () => {
    const order = keyset<Row, 'date'>('at', 1, 'date');
    const { nextCursor } = order.page(rows.slice(0, 3), 2);
    expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(order.page(rows.slice(0, 2), 2).nextCursor).toBeNull();
    expect(order.after(undefined)).toEqual({});
  });

  it('refuses a bad cursor as 400 VALIDATION_FAILED on the field cursor', () => {
    const byDate = keyset<Row, 'date'>('at', -1, 'date');
    const bySeq = keyset<Row, 'number'>('seq', -1, 'number');
    const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const id = String(new Types.ObjectId());
    const bad = [
      'garbage',
      '@@@',
      b64('not json'),
      b64({ at: 1, id }),
      b64(['at', 1]),
      b64(['at', 'yesterday', id]),
      b64(['at', 1.5, id]),
      b64(['at', 9e15, id]),
      b64(['at', 1, 'not-an-object-id']),
      b64(['at', 1, { $gt: '' }]),
      bySeq.page([rows[0]!, rows[1]!], 1).nextCursor!, // another list's cursor
    ];
    for (const cursor of bad) {
      let error: unknown;
      try {
        byDate.after(cursor);
      } catch (err) {
        error = err;
      }
      expect([cursor, error]).toEqual([cursor, expect.any(ApiError)]);
      expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', details: [{ field: 'cursor' }] });
    }
  });
});
