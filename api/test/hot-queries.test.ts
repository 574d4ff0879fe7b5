/**
 * Every query the hot paths send is served by an index the models declare, on MongoDB and
 * on the local stand-in alike. The test records what the API sends to the database
 * (mongoose's debug hook) while it serves the hot requests — case tracking, my reports,
 * nearby duplicates, the staff queues, report submission, the public summary — and runs
 * the background loops, then asks the server to explain each distinct query.
 *
 * The hot queries and their indexes are listed in the README ("Indexes that matter").
 */
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from './helpers/harness';
import { getJson, loginCitizen, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { staffLogin, type TestStaff } from './helpers/staff';
import { demoCity } from './helpers/city';

type Recorded = { collection: string; method: string; args: unknown[] };

/** Plan stages that read through an index (MongoDB names them variously by version). */
const INDEXED_STAGES = new Set(['IXSCAN', 'IDHACK', 'EXPRESS_IXSCAN', 'EXPRESS_CLUSTERED_IXSCAN', 'CLUSTERED_IXSCAN', 'COUNT_SCAN', 'DISTINCT_SCAN']);

let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;
let alice: TestCitizen;
let dispatcher: TestStaff;
let department: TestStaff;
const reportIds: string[] = [];

async function submit(who: TestCitizen, photoIds: string[]): Promise<string> {
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, description: '路灯不亮', location: city.point, photoIds, clientRequestId: randomUUID() },
    who.auth,
  );
  await api.services.relay.settled(); // the new report's effects run after the answer
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100' } });
  city = await demoCity(api);
  alice = await loginCitizen(api, 'hot-alice');
  dispatcher = await staffLogin(api, 'dispatcher');
  department = await staffLogin(api, 'department', city.departmentIds[0]);
  const photos = await uploadPhotos(api, alice, 3);
  for (const photo of photos) reportIds.push(await submit(alice, [photo]));
  await api.services.relay.drainPending();
  // Every model's collection and indexes exist before anything is explained.
  await Promise.all(Object.values(api.db.models).map((model) => model.init()));
});
afterAll(async () => {
  await api.close();
});

/** What the API sends while it serves the hot paths once each. */
async function recordHotPaths(): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  api.db.set('debug', (collection: string, method: string, ...args: unknown[]) => recorded.push({ collection, method, args }));
  try {
    expect((await getJson(api, `/me/reports/${reportIds[0]}`, alice.auth)).status).toBe(200);
    expect((await getJson(api, '/me/reports', alice.auth)).status).toBe(200);
    const nearby = `/reports/nearby?lat=${city.point.lat}&lng=${city.point.lng}&category=${city.publicCategory.id}`;
    expect((await getJson(api, nearby, alice.auth)).status).toBe(200);
    expect((await getJson(api, '/staff/cases', dispatcher.auth)).status).toBe(200);
    expect((await getJson(api, '/staff/cases', department.auth)).status).toBe(200);
    expect((await getJson(api, '/stats/public/summary')).status).toBe(200);
    const [photo] = await uploadPhotos(api, alice, 1);
    await submit(alice, [photo!]);
    // The background loops every API process runs (api/src/workers.ts).
    await api.services.relay.drainPending();
    await api.services.notifications.outbox.processDue();
    await api.services.forwarding.outbox.processDue();
  } finally {
    api.db.set('debug', false);
  }
  return recorded;
}

/** The explain command for one recorded operation, or null for writes that read nothing. */
function explainCommand({ collection, method, args }: Recorded): Record<string, unknown> | null {
  const [a0, a1, a2] = args as [Record<string, unknown> | undefined, Record<string, unknown> | undefined, Record<string, unknown> | undefined];
  const sortOf = (o?: Record<string, unknown>) => (o?.sort ? { sort: o.sort } : {});
  switch (method) {
    case 'find':
    case 'findOne':
      return { find: collection, filter: a0 ?? {}, ...sortOf(a1), ...(a1?.limit ? { limit: a1.limit } : {}) };
    case 'countDocuments':
      return { count: collection, query: a0 ?? {} };
    case 'findOneAndUpdate':
    case 'findOneAndReplace':
      return { findAndModify: collection, query: a0 ?? {}, update: a1, ...sortOf(a2) };
    case 'findOneAndDelete':
      return { findAndModify: collection, query: a0 ?? {}, remove: true, ...sortOf(a1) };
    case 'updateOne':
    case 'updateMany':
    case 'replaceOne':
      return { update: collection, updates: [{ q: a0 ?? {}, u: a1, multi: method === 'updateMany' }] };
    case 'deleteOne':
    case 'deleteMany':
      return { delete: collection, deletes: [{ q: a0 ?? {}, limit: method === 'deleteOne' ? 1 : 0 }] };
    case 'aggregate':
      return { aggregate: collection, pipeline: a0, cursor: {} };
    case 'bulkWrite': {
      const first = (a0 as unknown as { updateOne?: { filter: unknown; update: unknown } }[] | undefined)?.[0]?.updateOne;
      return first ? { update: collection, updates: [{ q: first.filter, u: first.update }] } : null;
    }
    default:
      return null; // inserts, index builds
  }
}

function stagesOf(plan: unknown, into: string[] = []): string[] {
  if (Array.isArray(plan)) plan.forEach((p) => stagesOf(p, into));
  else if (plan && typeof plan === 'object') {
    for (const [key, value] of Object.entries(plan)) {
      if (key === 'stage' && typeof value === 'string') into.push(value);
      else if (key !== 'rejectedPlans') stagesOf(value, into);
    }
  }
  return into;
}

/** A query's shape: field names and operators, values left out, so each distinct query is explained once. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

it('serves every query of the hot paths and background loops from an index', async () => {
  const recorded = await recordHotPaths();
  const distinct = new Map<string, { op: Recorded; command: Record<string, unknown> }>();
  for (const op of recorded) {
    const command = explainCommand(op);
    if (!command) continue;
    distinct.set(JSON.stringify([op.collection, op.method, shape(command)]), { op, command });
  }
  // The recording saw the hot paths' collections.
  const collections = new Set([...distinct.values()].map(({ op }) => op.collection));
  for (const expected of ['cases', 'report_quotas', 'photos', 'notification_outbox']) expect(collections).toContain(expected);
  expect(distinct.size).toBeGreaterThan(15);

  const scans: string[] = [];
  for (const { op, command } of distinct.values()) {
    const explained = await api.db.db!.command({ explain: command, verbosity: 'queryPlanner' });
    const stages = stagesOf(explained);
    const indexed = stages.some((s) => INDEXED_STAGES.has(s)) && !stages.includes('COLLSCAN');
    // EOF: MongoDB's plan for a collection that has no documents yet.
    if (!indexed && !(stages.length === 1 && stages[0] === 'EOF')) {
      scans.push(`${op.collection}.${op.method} ${JSON.stringify(shape(command))} → ${stages.join(' > ') || 'no plan'}`);
    }
  }
  expect(scans).toEqual([]);
});

it('tells an unindexed query from an indexed one (the check can fail)', async () => {
  const stagesFor = async (filter: Record<string, unknown>) =>
    stagesOf(await api.db.db!.command({ explain: { find: 'cases', filter }, verbosity: 'queryPlanner' }));
  expect(await stagesFor({ description: '路灯不亮' })).toContain('COLLSCAN');
  expect(await stagesFor({ reporterId: alice.id })).toContain('IXSCAN');
});
