import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { errorEnvelopeSchema, type ErrorCode } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';
import { loginCitizen, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';

/*
 * Hostile input to every route that reads a JSON body, a query or a path id (issue 9,
 * "Bad input"): MongoDB operators in place of values, operator, dotted and prototype
 * keys, query strings nested or repeated, traversal in ids, hostile strings and broken
 * JSON. Each must be a 4xx with a machine-readable code naming the field, store nothing
 * and leak nothing.
 *
 * The rules under test live in api/src/core/errors.ts (unsafe keys, for every parseInput),
 * api/src/core/json-body.ts (UTF-8, size, content type) and shared/src/text.ts (what text
 * people type may contain).
 */

jest.setTimeout(60_000);

const FORWARD_SECRET = 'hostile-forward-secret-0123456789abcdef';
process.env.SSP_TEST_FORWARD_HOSTILE = FORWARD_SECRET;
const OPEN311_KEY = 'hostile-open311-key-0123456789abcdef';
const DEMO_CITY_DIR = path.resolve(__dirname, '../../data/cities/demo');
const MB = 1024 * 1024;

let api: TestApi;
let cityDir: string;
let alice: TestCitizen;
let bob: TestCitizen;
let carol: TestCitizen;
let admin: TestStaff;
let operator: TestStaff;
let publicity: TestStaff;

/** What the tables fill their paths and bodies from. */
interface Setup {
  reportId: string;
  photoId: string;
  campaignId: string;
  campaignVersion: number;
  categoryId: string;
  departmentId: string;
  districtId: string;
  point: { lat: number; lng: number };
  calendar: Record<string, unknown>;
  operatorId: string;
  aliceId: string;
}
let s: Setup;

type Who = 'none' | 'alice' | 'bob' | 'carol' | 'admin' | 'operator' | 'publicity';
const authOf = (who: Who): Record<string, string> =>
  ({ none: {}, alice: alice.auth, bob: bob.auth, carol: carol.auth, admin: admin.auth, operator: operator.auth, publicity: publicity.auth })[who];

beforeAll(async () => {
  cityDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-city-'));
  if (existsSync(DEMO_CITY_DIR)) cpSync(DEMO_CITY_DIR, cityDir, { recursive: true, filter: (src) => path.basename(src) !== 'forwarding.json' });
  writeFileSync(
    path.join(cityDir, 'forwarding.json'),
    JSON.stringify({
      targets: [{ id: 'hostile', name: '测试平台', url: 'http://127.0.0.1:9/receive', secretEnv: 'SSP_TEST_FORWARD_HOSTILE', timeoutMs: 100 }],
      rules: [],
    }),
  );
  api = await startTestApi({
    env: {
      DEV_LOGIN_ENABLED: 'true',
      CITY_DATA_DIR: cityDir,
      OPEN311_API_KEYS: `hostile:${OPEN311_KEY}`,
      // Nothing may leave the machine, and no refusal may wait on a remote call.
      WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
      // Thousands of requests from one client: the rate limits are not under test here.
      STATS_PUBLIC_RATE_PER_MINUTE: '100000',
      LOGIN_RATE_PER_MINUTE: '100000',
      STAFF_LOGIN_RATE_PER_USERNAME_PER_MINUTE: '100000',
      MEDIA_UPLOADS_PER_MINUTE: '100000',
      NEARBY_RATE_PER_MINUTE: '100000',
    },
  });
  const city = await demoCity(api);
  [alice, bob, carol] = [
    await loginCitizen(api, 'alice', '爱丽丝'),
    await loginCitizen(api, 'bob', '鲍勃'),
    await loginCitizen(api, 'carol', '卡罗尔'),
  ];
  [admin, operator, publicity] = [await staffLogin(api, 'admin'), await staffLogin(api, 'operator'), await staffLogin(api, 'publicity')];
  const [photoId] = await uploadPhotos(api, alice, 1);
  const report = await send('POST', '/reports', 'alice', {
    categoryId: city.publicCategory.id,
    description: '井盖缺失',
    location: city.point,
    photoIds: [photoId],
    clientRequestId: randomUUID(),
  });
  expect(report.status).toBe(201);
  // Its effects run after the answer and write to the case: the fingerprints below must not catch them midway.
  await api.services.relay.settled();
  const now = Date.now();
  const campaign = await send('POST', '/admin/campaigns', 'publicity', {
    title: '清理小广告',
    startAt: new Date(now + 86_400_000).toISOString(),
    endAt: new Date(now + 10 * 86_400_000).toISOString(),
    multiplier: 2,
  });
  expect(campaign.status).toBe(201);
  const calendar = await send('GET', '/admin/calendar', 'admin');
  const districtId = (await api.services.catalogue.areaTree()).districts[0]!.id;
  s = {
    reportId: report.json.id,
    photoId: photoId!,
    campaignId: campaign.json.id,
    campaignVersion: campaign.json.version,
    categoryId: city.publicCategory.id,
    departmentId: city.departmentIds[0]!,
    districtId,
    point: city.point,
    calendar: calendar.json.calendar,
    operatorId: operator.id,
    aliceId: alice.id,
  };
});
/** Requests the tables sent, for the record. */
const sent = { bodyRows: 0, queryRows: 0 };

afterAll(async () => {
  console.info(
    `[hostile-input] ${sent.bodyRows} body rows over ${BODY_ROUTES.length} routes, ${sent.queryRows} query rows over ${QUERY_ROUTES.length} routes`,
  );
  await api.close();
  rmSync(cityDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  json: any;
  text: string;
}

/** One request; `body` is sent as JSON unless it is already a string (raw JSON text). */
async function send(method: string, urlPath: string, who: Who, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...authOf(who), ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${api.url}${urlPath}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/**
 * A hash of every document of every collection: a refused request must leave them exactly as they were.
 * Rate-limit counters are left out: counting a request, refused or not, is what they are for.
 */
async function fingerprint(): Promise<Record<string, string>> {
  const db = api.db.db!;
  const names = (await db.listCollections().toArray())
    .map((c) => c.name)
    .filter((name) => name !== 'rate_limit_windows')
    .sort();
  const out: Record<string, string> = {};
  for (const name of names) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    // A read may create an empty collection on some servers; only documents count as stored.
    if (docs.length > 0) out[name] = `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16)}`;
  }
  return out;
}

async function mediaFiles(): Promise<string[]> {
  const entries = await readdir(api.config.media.dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

// ---------------------------------------------------------------- the attack table

/** What goes where a string, number, boolean, id or list is expected. */
const OPERATORS: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000)' },
  { $regex: '.*' },
  { $in: [] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
];

/** Keys added to an otherwise valid body, as raw JSON (a JS `__proto__` key would set the prototype instead). */
const EXTRA_KEYS: Array<[key: string, json: string]> = [
  ['$where', '"sleep(1000)"'],
  ['$set', '{"role":"admin","points":1000000}'],
  ['$or', '[{},{"a":1}]'],
  ['a.b', '1'],
  ['location.lat', '0'],
  ['__proto__', '{"admin":true,"role":"admin"}'],
  ['constructor', '{"prototype":{"admin":true}}'],
  ['prototype', '{"admin":true}'],
];

/** Whole bodies that are no object of ours. */
const WHOLE_BODIES = ['{"$where":"sleep(1000)"}', '{"$gt":""}', '[{"$ne":null}]', '[]', '"text"', '42', 'true', 'null'];

interface BodyRoute {
  method: 'POST' | 'PUT' | 'PATCH';
  path: (s: Setup) => string;
  who: Who;
  /** A valid body with every field the route reads, so each row breaks exactly one thing. */
  body: (s: Setup) => Record<string, unknown> | unknown[];
  /** Default VALIDATION_FAILED. */
  code?: ErrorCode;
  /** Open311 answers `[{ code, description }]` instead of the envelope. */
  open311?: boolean;
  /** Lifecycle actions may come without a body: `null` reads as none. */
  emptyIsValid?: boolean;
  /** City-data files: only whole-body rows (GeoJSON and data files have their own key rules). */
  wholeBodyOnly?: boolean;
  /** Keys the route ignores by its specification (Open311: extra parameters are tolerated). */
  ignoresUnknownKeys?: boolean;
  /** Forwarding callbacks are signed. */
  signed?: boolean;
  /** Tells apart routes with several body shapes (staff case actions). */
  variant?: string;
}

const iso = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const rewardBody = () => ({
  name: '测试奖品',
  kind: 'gift',
  description: '说明',
  costPoints: 10,
  stock: 10,
  perCitizenLimit: 1,
  limitPeriod: 'all',
  activeFrom: '2026-01-01T00:00:00+08:00',
  activeTo: '2027-01-01T00:00:00+08:00',
  imageUrl: 'https://example.com/a.png',
});
const FAKE_ID = '0123456789abcdef01234567';

const BODY_ROUTES: BodyRoute[] = [
  { method: 'POST', path: () => '/auth/wechat', who: 'none', body: () => ({ code: 'wx-login-code-123' }) },
  { method: 'POST', path: () => '/auth/dev-login', who: 'none', body: () => ({ devUser: 'mallory', nickname: '马洛里' }) },
  { method: 'POST', path: () => '/auth/refresh', who: 'none', body: () => ({ refreshToken: 'r'.repeat(40) }) },
  { method: 'POST', path: () => '/auth/logout', who: 'none', body: () => ({ refreshToken: 'r'.repeat(40) }) },
  { method: 'PATCH', path: () => '/me', who: 'alice', body: () => ({ nickname: '新昵称', phone: '13800138000' }) },
  { method: 'POST', path: () => '/auth/staff/login', who: 'none', body: () => ({ username: 'admin1', password: 'some-password' }) },
  {
    method: 'POST',
    path: () => '/admin/staff',
    who: 'admin',
    body: (s) => ({ username: 'newdept', password: 'password-123', displayName: '新人', role: 'department', departmentId: s.departmentId }),
  },
  {
    method: 'PATCH',
    path: (s) => `/admin/staff/${s.operatorId}`,
    who: 'admin',
    body: () => ({ displayName: '改名', role: 'dispatcher', departmentId: null, active: true, password: 'new-password-1' }),
  },
  {
    method: 'POST',
    path: () => '/admin/campaigns',
    who: 'publicity',
    body: (s) => ({
      title: '活动',
      summary: '摘要',
      body: '<p>正文</p>',
      coverPhotoId: null,
      startAt: iso(1),
      endAt: iso(5),
      targetCategoryIds: [s.categoryId],
      targetAreaIds: [s.districtId],
      multiplier: 2,
      participationGoal: 10,
    }),
  },
  {
    method: 'PATCH',
    path: (s) => `/admin/campaigns/${s.campaignId}`,
    who: 'publicity',
    body: (s) => ({
      version: s.campaignVersion,
      title: '活动',
      summary: '摘要',
      body: '<p>正文</p>',
      coverPhotoId: null,
      startAt: iso(1),
      endAt: iso(5),
      targetCategoryIds: [s.categoryId],
      targetAreaIds: [s.districtId],
      multiplier: 2,
      participationGoal: 10,
    }),
  },
  {
    method: 'POST',
    path: (s) => `/admin/campaigns/${s.campaignId}/publish`,
    who: 'publicity',
    body: (s) => ({ version: s.campaignVersion }),
    emptyIsValid: true,
  },
  {
    method: 'POST',
    path: (s) => `/admin/campaigns/${s.campaignId}/unpublish`,
    who: 'publicity',
    body: (s) => ({ version: s.campaignVersion, reason: '原因' }),
    emptyIsValid: true,
  },
  {
    method: 'POST',
    path: (s) => `/admin/campaigns/${s.campaignId}/end`,
    who: 'publicity',
    body: (s) => ({ version: s.campaignVersion, reason: '原因' }),
    emptyIsValid: true,
  },
  { method: 'POST', path: () => '/me/campaign-subscriptions', who: 'alice', body: (s) => ({ districtId: s.districtId }) },
  {
    method: 'POST',
    path: (s) => `/staff/cases/${s.reportId}/actions`,
    who: 'operator',
    variant: 'file',
    body: (s) => ({ action: 'file', version: 1, categoryId: s.categoryId, departmentId: s.departmentId, internalNote: '备注' }),
  },
  {
    method: 'POST',
    path: (s) => `/staff/cases/${s.reportId}/actions`,
    who: 'operator',
    variant: 'reject',
    body: () => ({ action: 'reject', version: 1, reason: 'invalid', publicNote: '不属于受理范围' }),
  },
  {
    method: 'POST',
    path: (s) => `/staff/cases/${s.reportId}/actions`,
    who: 'operator',
    variant: 'merge',
    body: () => ({ action: 'merge', version: 1, duplicateOf: FAKE_ID, internalNote: '重复' }),
  },
  {
    method: 'POST',
    path: (s) => `/staff/cases/${s.reportId}/actions`,
    who: 'operator',
    variant: 'request_postpone',
    body: () => ({ action: 'request_postpone', version: 1, extra: { value: 2, unit: 'work_days' }, reason: '等待材料' }),
  },
  {
    method: 'POST',
    path: (s) => `/staff/cases/${s.reportId}/actions`,
    who: 'operator',
    variant: 'report_handled',
    body: (s) => ({ action: 'report_handled', version: 1, photoIds: [s.photoId], publicNote: '已处理' }),
  },
  { method: 'PUT', path: () => '/admin/calendar', who: 'admin', body: (s) => s.calendar, code: 'CITY_DATA_INVALID' },
  { method: 'PUT', path: () => '/admin/catalogue', who: 'admin', body: () => [], code: 'CITY_DATA_INVALID', wholeBodyOnly: true },
  { method: 'PUT', path: () => '/admin/departments', who: 'admin', body: () => [], code: 'CITY_DATA_INVALID', wholeBodyOnly: true },
  { method: 'PUT', path: () => '/admin/areas', who: 'admin', body: () => ({}), code: 'CITY_DATA_INVALID', wholeBodyOnly: true },
  {
    method: 'POST',
    path: () => '/forwarding/callback',
    who: 'none',
    body: () => ({
      caseId: FAKE_ID,
      externalId: 'EXT-1',
      status: 'processing',
      note: '已受理',
      occurredAt: new Date().toISOString(),
      eventId: 'evt-1',
    }),
    signed: true,
  },
  {
    method: 'POST',
    path: () => '/open311/v2/requests.json',
    who: 'none',
    body: (s) => ({
      api_key: OPEN311_KEY,
      service_code: s.categoryId,
      lat: s.point.lat,
      long: s.point.lng,
      address_string: '地址',
      description: '描述',
      media_url: 'https://example.com/a.jpg',
      jurisdiction_id: 'demo',
      device_id: 'device',
      account_id: 'account',
      email: 'a@example.com',
      first_name: '名',
      last_name: '姓',
      phone: '13800138000',
    }),
    open311: true,
    ignoresUnknownKeys: true,
  },
  { method: 'PUT', path: () => '/me/points/preferences', who: 'alice', body: () => ({ anonymous: true }) },
  { method: 'POST', path: () => '/rewards/hostile-gift/claims', who: 'alice', body: () => ({ clientRequestId: randomUUID() }), emptyIsValid: true },
  {
    method: 'POST',
    path: () => '/admin/points/adjustments',
    who: 'admin',
    body: (s) => ({ citizenId: s.aliceId, amount: 5, reason: '补发积分', clientRequestId: randomUUID() }),
  },
  { method: 'PUT', path: () => '/admin/rewards/hostile-gift', who: 'admin', body: rewardBody },
  { method: 'POST', path: () => `/admin/claims/${FAKE_ID}/fulfil`, who: 'admin', body: () => ({ code: 'CODE-123' }) },
  { method: 'POST', path: () => `/admin/claims/${FAKE_ID}/fail`, who: 'admin', body: () => ({ reason: '号码无效' }) },
  { method: 'POST', path: () => `/admin/claims/${FAKE_ID}/delivered`, who: 'admin', body: () => ({}), emptyIsValid: true },
  {
    method: 'POST',
    path: () => '/reports',
    who: 'alice',
    body: (s) => ({
      categoryId: s.categoryId,
      description: '路灯不亮',
      location: s.point,
      address: '人民路 1 号',
      photoIds: [s.photoId],
      anonymous: false,
      campaignId: s.campaignId,
      clientRequestId: randomUUID(),
    }),
  },
  { method: 'PATCH', path: (s) => `/me/reports/${s.reportId}`, who: 'alice', body: () => ({ description: '改一下描述' }) },
  { method: 'POST', path: (s) => `/me/reports/${s.reportId}/rating`, who: 'alice', body: () => ({ score: 5, comment: '很好' }) },
  { method: 'POST', path: (s) => `/me/reports/${s.reportId}/not-fixed`, who: 'alice', body: () => ({ note: '还是坏的' }) },
];

/** Every value's path in a body: object fields (nested too), each list and its first element. */
function leafPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return [prefix, ...(value.length > 0 ? leafPaths(value[0], [...prefix, 0]) : [])].filter((p) => p.length > 0);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(v && typeof v === 'object' && !Array.isArray(v) ? [[...prefix, k]] : []),
      ...leafPaths(v, [...prefix, k]),
    ]);
  }
  return prefix.length > 0 ? [prefix] : [];
}

function withValue(body: unknown, at: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at[at.length - 1]!] = value;
  return copy;
}

/** The field name as the API reports it: `location.lat`, `photoIds[0]`. */
const fieldName = (at: Array<string | number>) =>
  at.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

function withExtraKey(body: unknown, key: string, json: string): string {
  const text = JSON.stringify(body);
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(key)}:${json}}`;
}

interface Row {
  label: string;
  raw: string;
  /** The field the refusal must name (the detail's field starts with it or its issue names it); undefined: any. */
  field?: string;
}

function bodyRows(route: BodyRoute, setup: Setup): Row[] {
  const body = route.body(setup);
  const rows: Row[] = WHOLE_BODIES.filter((raw) => !(route.emptyIsValid && raw === 'null')).map((raw) => ({ label: `body ${raw}`, raw }));
  if (route.wholeBodyOnly) return rows;
  for (const at of leafPaths(body)) {
    for (const op of OPERATORS)
      rows.push({ label: `${fieldName(at)} = ${JSON.stringify(op)}`, raw: JSON.stringify(withValue(body, at, op)), field: fieldName(at) });
  }
  if (!route.ignoresUnknownKeys && !Array.isArray(body)) {
    for (const [key, json] of EXTRA_KEYS) rows.push({ label: `extra key ${key}`, raw: withExtraKey(body, key, json), field: key });
  }
  return rows;
}

function signedHeaders(raw: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'X-SSP-Target': 'hostile',
    'X-SSP-Timestamp': timestamp,
    'X-SSP-Signature': `sha256=${createHmac('sha256', FORWARD_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`,
  };
}

/** Why an answer is not the refusal a row asks for; null when it is. */
function mismatch(answer: Answer, expectedCode: string, field: string | undefined, open311: boolean): string | null {
  if (answer.status !== 400) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (open311) {
    const [error] = (answer.json ?? []) as Array<{ code: number; description: string }>;
    if (error?.code !== 400) return `not an Open311 error: ${answer.text.slice(0, 200)}`;
    if (field && !error.description.includes(field)) return `description does not name ${field}: ${error.description}`;
    return null;
  }
  const parsed = errorEnvelopeSchema.safeParse(answer.json);
  if (!parsed.success) return `not the error envelope: ${answer.text.slice(0, 200)}`;
  const { code, details = [] } = parsed.data.error;
  if (code !== expectedCode) return `code ${code}, expected ${expectedCode}`;
  if (field && !details.some((d) => d.field?.startsWith(field) || d.issue.includes(field))) {
    return `no detail names ${field}: ${JSON.stringify(details)}`;
  }
  return null;
}

describe('operators, operator keys and prototype keys in every JSON body field', () => {
  let before: Record<string, string>;
  let mediaBefore: string[];
  beforeAll(async () => {
    before = await fingerprint();
    mediaBefore = await mediaFiles();
  });

  const labelOf = (r: BodyRoute) => {
    const placeholders = { reportId: ':id', campaignId: ':id', operatorId: ':id' } as Setup;
    return `${r.method} ${r.path(placeholders)}${r.variant ? ` (${r.variant})` : ''}`;
  };

  it.each(BODY_ROUTES.map((r) => [labelOf(r), r] as const))(
    '%s: every field, extra key and whole-body row is a 400 naming the field',
    async (_label, route) => {
      const failures: string[] = [];
      const rows = bodyRows(route, s);
      for (const row of rows) {
        const headers = route.signed ? signedHeaders(row.raw) : {};
        const answer = await send(route.method, route.path(s), route.who, row.raw, headers);
        sent.bodyRows += 1;
        const problem = mismatch(answer, route.code ?? 'VALIDATION_FAILED', row.field, route.open311 ?? false);
        if (problem) failures.push(`${row.label}: ${problem}`);
      }
      expect(failures).toEqual([]);
      expect(rows.length).toBeGreaterThan(5);
    },
  );

  it('stored nothing anywhere: every collection and the media directory are exactly as before', async () => {
    expect(await fingerprint()).toEqual(before);
    expect(await mediaFiles()).toEqual(mediaBefore);
  });

  it('polluted no prototype in the server process', () => {
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('admin');
  });
});

// ---------------------------------------------------------------- queries

interface QueryRoute {
  path: (s: Setup) => string;
  who: Who;
  /** A valid query. */
  query: (s: Setup) => Record<string, string>;
  /** Every parameter the route reads. */
  params: string[];
  open311?: boolean;
}

const STATS_PARAMS = ['from', 'to', 'granularity', 'family', 'majorCode', 'categoryId', 'districtId', 'streetId', 'gridId', 'departmentId', 'source'];
const STATS_CUTS = ['summary', 'timeseries', 'categories', 'areas', 'departments', 'map'];

const QUERY_ROUTES: QueryRoute[] = [
  {
    path: () => '/staff/cases',
    who: 'operator',
    query: () => ({ state: 'pending', limit: '10' }),
    params: [
      'state',
      'departmentId',
      'districtId',
      'streetId',
      'gridId',
      'categoryId',
      'overdue',
      'source',
      'reopenRequested',
      'postponeRequested',
      'cursor',
      'limit',
    ],
  },
  { path: () => '/categories', who: 'none', query: () => ({ family: 'event', q: '井盖', public: 'true' }), params: ['family', 'q', 'public'] },
  { path: () => '/areas/locate', who: 'none', query: (s) => ({ lat: String(s.point.lat), lng: String(s.point.lng) }), params: ['lat', 'lng'] },
  { path: () => '/me/points/history', who: 'alice', query: () => ({ limit: '10' }), params: ['cursor', 'limit'] },
  { path: () => '/me/claims', who: 'alice', query: () => ({ limit: '10' }), params: ['cursor', 'limit'] },
  { path: () => '/leaderboard', who: 'none', query: () => ({ period: 'month', limit: '10' }), params: ['period', 'month', 'district', 'limit'] },
  { path: (s) => `/admin/points/citizens/${s.aliceId}/history`, who: 'admin', query: () => ({ limit: '10' }), params: ['cursor', 'limit'] },
  { path: () => '/admin/claims', who: 'admin', query: () => ({ status: 'pending', limit: '10' }), params: ['status', 'cursor', 'limit'] },
  { path: () => '/admin/citizens', who: 'admin', query: () => ({ q: '5678', limit: '10' }), params: ['q', 'cursor', 'limit'] },
  { path: () => '/admin/claims/export.csv', who: 'admin', query: () => ({ status: 'pending' }), params: ['status'] },
  {
    path: () => '/reports/nearby',
    who: 'alice',
    query: (s) => ({ lat: String(s.point.lat), lng: String(s.point.lng), category: s.categoryId }),
    params: ['lat', 'lng', 'category'],
  },
  { path: () => '/me/reports', who: 'alice', query: () => ({ status: 'processing', limit: '10' }), params: ['status', 'cursor', 'limit'] },
  ...STATS_CUTS.map((cut): QueryRoute => ({
    path: () => `/stats/public/${cut}`,
    who: 'none',
    query: () => ({ granularity: 'month' }),
    params: STATS_PARAMS,
  })),
  { path: () => '/stats/public/export.json', who: 'none', query: () => ({}), params: STATS_PARAMS },
  { path: () => '/stats/public/export.csv', who: 'none', query: () => ({}), params: STATS_PARAMS },
  ...STATS_CUTS.map((cut): QueryRoute => ({
    path: () => `/stats/staff/${cut}`,
    who: 'operator',
    query: () => ({ granularity: 'month' }),
    params: STATS_PARAMS,
  })),
  {
    path: () => '/stats/staff/cases',
    who: 'operator',
    query: () => ({ limit: '10' }),
    params: [...STATS_PARAMS, 'state', 'overdue', 'cursor', 'limit'],
  },
  {
    path: () => '/open311/v2/requests.json',
    who: 'none',
    query: () => ({ status: 'open' }),
    params: ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'jurisdiction_id', 'api_key'],
    open311: true,
  },
];

/** Query-string keys this API never reads (qs-style nesting, operators, prototype names), added to a valid query. */
const EXTRA_QUERY_KEYS = ['$where', '__proto__[admin]', 'constructor[prototype][admin]', 'a.b', '$or[0][a]'];

function queryRows(route: QueryRoute, setup: Setup): Row[] {
  const base = route.query(setup);
  const qs = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();
  const rows: Row[] = [];
  for (const p of route.params) {
    const others = Object.entries(base).filter(([k]) => k !== p);
    // Repeated: koa reads `p=a&p=b` as a list, which no parameter takes.
    rows.push({ label: `${p} repeated`, raw: qs([...others, [p, base[p] ?? '1'], [p, base[p] ?? '1']]), field: p });
    if (route.open311) continue; // Open311 tolerates unknown parameters (see below).
    for (const nested of [`${p}[$ne]`, `${p}[$gt]`, `${p}[$regex]`, `${p}[]`, `${p}.$ne`]) {
      rows.push({ label: nested, raw: qs([...Object.entries(base), [nested, 'x']]), field: nested });
    }
  }
  if (!route.open311) {
    for (const key of EXTRA_QUERY_KEYS) rows.push({ label: `extra ${key}`, raw: qs([...Object.entries(base), [key, '1']]), field: key });
  }
  return rows;
}

describe('nested, repeated and operator query parameters on every query route', () => {
  let before: Record<string, string>;
  beforeAll(async () => {
    before = await fingerprint();
  });

  it.each(QUERY_ROUTES.map((r) => [r.path({ aliceId: ':id' } as Setup), r] as const))(
    'GET %s: every parameter row is a 400 naming it',
    async (_label, route) => {
      const failures: string[] = [];
      const rows = queryRows(route, s);
      for (const row of rows) {
        const answer = await send('GET', `${route.path(s)}?${row.raw}`, route.who);
        sent.queryRows += 1;
        const problem = mismatch(answer, 'VALIDATION_FAILED', row.field, route.open311 ?? false);
        if (problem) failures.push(`?${decodeURIComponent(row.raw)}: ${problem}`);
      }
      expect(failures).toEqual([]);
    },
  );

  it('Open311 ignores parameters it does not define (its specification tolerates them); they filter nothing', async () => {
    const plain = await send('GET', '/open311/v2/requests.json', 'none');
    for (const key of ['service_request_id[$ne]', '$where', 'status[$in][]', '__proto__[admin]']) {
      const answer = await send('GET', `/open311/v2/requests.json?${new URLSearchParams([[key, 'x']])}`, 'none');
      expect([key, answer.status, answer.json]).toEqual([key, 200, plain.json]);
    }
  });

  it('stored nothing anywhere', async () => {
    expect(await fingerprint()).toEqual(before);
  });
});

// ---------------------------------------------------------------- nothing leaks

describe('operators never widen what a citizen or a login can reach', () => {
  it('a citizen asking for /me/reports/{"$ne":null} (or other operator ids) gets 404, not another citizen’s report', async () => {
    for (const id of ['{"$ne":null}', '{"$gt":""}', '[$ne]', '{"$where":"1"}', '.*', s.reportId.slice(0, 12)]) {
      const answer = await send('GET', `/me/reports/${encodeURIComponent(id)}`, 'bob');
      expect([id, answer.status, answer.json?.error?.code]).toEqual([id, 404, 'NOT_FOUND']);
      expect(answer.text).not.toContain(s.reportId);
    }
    const own = await send('GET', `/me/reports/${s.reportId}`, 'alice');
    expect(own.status).toBe(200);
    const bobs = await send('GET', '/me/reports', 'bob');
    expect(bobs.json.items).toEqual([]);
    const injected = await send('GET', '/me/reports?status[$ne]=x&cursor[$gt]=', 'bob');
    expect(injected.status).toBe(400);
    expect(injected.text).not.toContain(s.reportId);
  });

  it('a staff login with {"$ne": null} or {"$gt": ""} as password or username gets no token', async () => {
    for (const body of [
      { username: admin.displayName, password: { $ne: null } },
      { username: 'admin1', password: { $gt: '' } },
      { username: { $gt: '' }, password: 'x' },
      { username: { $regex: '^admin' }, password: { $ne: 'x' } },
    ]) {
      const answer = await send('POST', '/auth/staff/login', 'none', body);
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain('accessToken');
    }
  });

  it('a refresh or logout with an operator token revokes and returns nothing', async () => {
    for (const path of ['/auth/refresh', '/auth/logout']) {
      const answer = await send('POST', path, 'none', { refreshToken: { $ne: null } });
      expect([path, answer.status]).toEqual([path, 400]);
      expect(answer.text).not.toContain('accessToken');
    }
    expect((await send('GET', '/me', 'alice')).status).toBe(200);
  });

  it('a search for an operator-looking text is plain text: it matches nothing rather than everything', async () => {
    const all = await send('GET', '/categories', 'none');
    expect(all.json.categories.length).toBeGreaterThan(10);
    const injected = await send('GET', `/categories?q=${encodeURIComponent('{"$ne":null}')}`, 'none');
    expect([injected.status, injected.json.categories]).toEqual([200, []]);
  });
});

// ---------------------------------------------------------------- path parameters

const HOSTILE_IDS = [
  '{"$ne":null}',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5C..%5Cwindows%5Cwin.ini',
  '%2Fetc%2Fpasswd',
  'C:%5Cwindows%5Cwin.ini',
  'AAAAAAAAAAAAAAAAAAAAAA%00',
  '%00',
  '%c0%ae%c0%ae%c0%af',
  '%252e%252e%252f',
  '%E2%80%AE',
  '%',
  '%zz',
  'x'.repeat(8000),
];

describe('hostile path ids', () => {
  const routes: Array<[method: string, path: (id: string) => string, who: Who, body?: unknown, answers?: number[]]> = [
    ['GET', (id) => `/me/reports/${id}`, 'bob'],
    ['PATCH', (id) => `/me/reports/${id}`, 'bob', { description: '改' }],
    ['POST', (id) => `/me/reports/${id}/withdraw`, 'bob'],
    ['POST', (id) => `/reports/${id}/support`, 'bob'],
    ['GET', (id) => `/staff/cases/${id}`, 'operator'],
    ['POST', (id) => `/staff/cases/${id}/actions`, 'operator', { action: 'accept_task', version: 1 }],
    ['GET', (id) => `/campaigns/${id}`, 'none'],
    ['GET', (id) => `/admin/campaigns/${id}`, 'publicity'],
    ['PATCH', (id) => `/admin/staff/${id}`, 'admin', { displayName: '改名' }],
    ['GET', (id) => `/admin/points/citizens/${id}/history`, 'admin'],
    ['POST', (id) => `/admin/claims/${id}/fulfil`, 'admin', { code: 'X' }],
    ['POST', (id) => `/admin/claims/${id}/delivered`, 'admin', {}],
    ['GET', (id) => `/admin/points/citizens/${id}`, 'admin'],
    ['PUT', (id) => `/admin/rewards/${id}`, 'admin', rewardBody()],
    ['POST', (id) => `/rewards/${id}/claims`, 'bob', {}],
    // Idempotent: leaving a district one never subscribed to is a no-op (the id is only ever compared).
    ['DELETE', (id) => `/me/campaign-subscriptions/${id}`, 'bob', undefined, [200, 400, 404]],
    ['GET', (id) => `/open311/v2/requests/${id}.json`, 'none'],
  ];

  it.each(routes.map((r) => [`${r[0]} ${r[1](':id')}`, r] as const))(
    '%s: 400 or 404 for every hostile id, nothing stored, nothing leaked',
    async (_label, [method, toPath, who, body, answers = [400, 404]]) => {
      const before = await fingerprint();
      const failures: string[] = [];
      for (const id of HOSTILE_IDS) {
        const answer = await rawRequest(method, toPath(id), authOf(who), body === undefined ? undefined : JSON.stringify(body));
        if (!answers.includes(answer.status)) failures.push(`${id.slice(0, 40)}: ${answer.status} ${answer.body.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
      expect(await fingerprint()).toEqual(before);
    },
  );
});

/** A request with the path exactly as written (fetch would normalise `..` and reject a bare `%`). */
function rawRequest(method: string, rawPath: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('media ids never reach the file system', () => {
  const CANARY = 'CANARY-d2f7c1e0-must-never-be-served';
  let canaryName: string;
  let canaryFiles: string[];

  beforeAll(() => {
    // Canaries next to the media directory, inside it, and in its parent, named like blobs and ids.
    const mediaDir = api.config.media.dir;
    canaryName = `${path.basename(mediaDir)}-canary.jpg`;
    canaryFiles = [path.join(path.dirname(mediaDir), canaryName), path.join(mediaDir, 'canary.jpg'), path.join(mediaDir, 'AAAAAAAAAAAAAAAAAAAAAA')];
    for (const file of canaryFiles) writeFileSync(file, CANARY);
  });
  afterAll(() => {
    for (const file of canaryFiles) rmSync(file, { force: true });
  });

  it('answers 400 or 404, never the canary, for traversal, encodings, NUL, backslashes, absolute paths and overlong ids', async () => {
    const dirName = path.basename(api.config.media.dir);
    const targets = [
      `../${canaryName}`,
      `..%2F${canaryName}`,
      `..%2f${canaryName}`,
      `%2e%2e%2f${canaryName}`,
      `%2E%2E%2F${canaryName}`,
      `..%5C${canaryName}`,
      `..\\${canaryName}`,
      `%2e%2e%5c${canaryName}`,
      `%252e%252e%252f${canaryName}`,
      `%c0%ae%c0%ae%c0%af${canaryName}`,
      `..%2F${dirName}%2Fcanary.jpg`,
      'canary.jpg',
      'canary',
      'AAAAAAAAAAAAAAAAAAAAAA',
      `AAAAAAAAAAAAAAAAAAAAAA%00.jpg`,
      `canary.jpg%00AAAAAAAAAAAAAAAAAAAAAA`,
      '%00',
      encodeURIComponent(path.join(api.config.media.dir, 'canary.jpg')),
      encodeURIComponent(path.join(path.dirname(api.config.media.dir), canaryName)),
      '%2Fetc%2Fpasswd',
      'file:%2F%2F%2Fetc%2Fpasswd',
      '%',
      'A'.repeat(22 * 100),
      'A'.repeat(8000),
    ];
    const failures: string[] = [];
    for (const target of targets) {
      for (const suffix of ['', '/thumb']) {
        const answer = await rawRequest('GET', `/media/${target}${suffix}`);
        if (answer.body.includes(CANARY) || (answer.status !== 400 && answer.status !== 404)) {
          failures.push(`${target.slice(0, 60)}${suffix}: ${answer.status} ${answer.body.slice(0, 100)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // Raw traversal outside /media resolves to no route at all.
    const outside = await rawRequest('GET', `/media/../../${canaryName}`);
    expect(outside.body).not.toContain(CANARY);
  });

  it('an id longer than any header Node accepts is refused by the server itself (431), not served', async () => {
    const answer = await rawRequest('GET', `/media/${'A'.repeat(100_000)}`).catch((err: Error) => ({ status: 0, body: err.message }));
    expect(answer.body).not.toContain(CANARY);
    expect([0, 400, 404, 414, 431]).toContain(answer.status);
  });
});

// ---------------------------------------------------------------- strings

describe('text people type: overlong, control and Unicode edge cases (rule in shared/src/text.ts)', () => {
  const me = async () => (await send('GET', '/me', 'carol')).json;
  const patchMe = (raw: string, headers: Record<string, string> = {}) => send('PATCH', '/me', 'carol', raw, headers);
  const description = async () => (await send('GET', `/me/reports/${s.reportId}`, 'alice')).json.description as string;
  const patchDescription = (raw: string) => send('PATCH', `/me/reports/${s.reportId}`, 'alice', raw);

  // Raw JSON text: a lone surrogate can only be written as an escape.
  const refused: Array<[string, string]> = [
    ['a lone high surrogate \\ud800', '"a\\ud800b"'],
    ['a lone low surrogate \\udc00', '"\\udc00"'],
    ['a reversed surrogate pair', '"\\udc00\\ud800"'],
    ['NUL', '"a\\u0000b"'],
    ['BEL', '"a\\u0007b"'],
    ['ESC (terminal colour codes)', '"\\u001b[31mred"'],
    ['DEL', '"a\\u007fb"'],
    ['a C1 control (NEL)', '"a\\u0085b"'],
    ['RIGHT-TO-LEFT OVERRIDE U+202E', '"abc\\u202egpj.exe"'],
    ['LEFT-TO-RIGHT EMBEDDING U+202A', '"\\u202aabc"'],
    ['a bidi isolate U+2066…U+2069', '"\\u2066abc\\u2069"'],
    ['a combining-character flood (Zalgo)', JSON.stringify(`Z${'\u0336\u0335\u0334'.repeat(10)}`)],
  ];

  it.each(refused)('refuses %s in a nickname and a description, naming the field, storing nothing', async (_name, value) => {
    const before = await fingerprint();
    for (const [answer, field] of [
      [await patchMe(`{"nickname":${value}}`), 'nickname'],
      [await patchDescription(`{"description":${value}}`), 'description'],
    ] as const) {
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('VALIDATION_FAILED');
      expect(answer.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await fingerprint()).toEqual(before);
  });

  it.each<[string, string, string]>([
    ['Chinese with emoji', '修好了👍🎉', '修好了👍🎉'],
    ['an emoji ZWJ family', '👨‍👩‍👧‍👦一家', '👨‍👩‍👧‍👦一家'],
    ['flags, a rainbow flag and a skin tone', '🇨🇳🏳️‍🌈👍🏽', '🇨🇳🏳️‍🌈👍🏽'],
    ['a keycap and a zero-width joiner in text', '1️⃣a\u200db', '1️⃣a\u200db'],
    ['decomposed (NFD) accents, stored composed (NFC)', 'Jose\u0301 Mu\u0308ller', 'José Müller'],
    ['Arabic with its own marks', 'مَرْحَبًا', 'مَرْحَبًا'],
  ])('stores %s verbatim (after NFC)', async (_name, sent, stored) => {
    expect((await patchMe(JSON.stringify({ nickname: sent }))).status).toBe(200);
    expect((await me()).nickname).toBe(stored);
    expect((await patchDescription(JSON.stringify({ description: `${sent}\n第二行\t制表符` }))).status).toBe(200);
    expect(await description()).toBe(`${stored}\n第二行\t制表符`);
  });

  it('refuses a nickname of only zero-width or combining characters (it would show as nothing)', async () => {
    for (const nickname of ['\u200b\u200b', '\u200d', '\u0301\u0301', ' \ufeff ']) {
      const answer = await patchMe(JSON.stringify({ nickname }));
      expect([JSON.stringify(nickname), answer.status, answer.json.error.details[0].field]).toEqual([JSON.stringify(nickname), 400, 'nickname']);
    }
  });

  it('refuses overlong text by its limit, and a 1 MB description by the body limit, storing nothing', async () => {
    const before = await fingerprint();
    const longNick = await patchMe(JSON.stringify({ nickname: '长'.repeat(10_000) }));
    expect([longNick.status, longNick.json.error.details[0].field]).toEqual([400, 'nickname']);
    const overLimit = await patchDescription(JSON.stringify({ description: 'x'.repeat(501) }));
    expect([overLimit.status, overLimit.json.error.details[0].field]).toEqual([400, 'description']);
    const megabyte = await patchDescription(JSON.stringify({ description: '描'.repeat(MB / 3 + 1) }));
    expect([megabyte.status, megabyte.json.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await fingerprint()).toEqual(before);
    // The limit counts what is stored: 500 after NFC, even if more code points were sent.
    expect((await patchDescription(JSON.stringify({ description: 'e\u0301'.repeat(500) }))).status).toBe(200);
    expect(await description()).toBe('é'.repeat(500));
  });

  it('takes a phone number typed with full-width digits, and refuses one with a NUL or letters', async () => {
    const ok = await patchMe(JSON.stringify({ phone: '１３８００１３８０００' }));
    expect([ok.status, ok.json.phoneMasked]).toEqual([200, '138****8000']);
    for (const phone of ['13800138000\u0000', '1380013800O', '+8613800138000', { $ne: null }]) {
      const answer = await patchMe(JSON.stringify({ phone }));
      expect([answer.status, answer.json.error.details[0].field]).toEqual([400, expect.stringMatching(/^phone/)]);
    }
  });
});

// ---------------------------------------------------------------- JSON itself

describe('JSON edge cases', () => {
  const patchMe = (raw: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/me`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...carol.auth, ...headers },
      body: typeof raw === 'string' ? raw : new Uint8Array(raw),
    }).then(async (res) => ({ status: res.status, json: (await res.json()) as any, connection: res.headers.get('connection') }));
  const rate = (raw: string) => send('POST', `/me/reports/${s.reportId}/rating`, 'alice', raw);

  let before: Record<string, string>;
  beforeAll(async () => {
    await patchMe(JSON.stringify({ nickname: '卡罗尔' }));
    before = await fingerprint();
  });

  // Every row has all five columns: jest would pass a missing one as a `done` callback.
  it.each<[string, () => string | Buffer, number, string, string]>([
    ['a value nested 10000 arrays deep', () => `{"nickname":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400, 'VALIDATION_FAILED', 'nickname'],
    ['a value nested 10000 objects deep', () => `{"nickname":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 400, 'VALIDATION_FAILED', 'nickname'],
    [
      'operator keys 10000 levels deep',
      () => `{"nickname":"x","phone":${'{"a":'.repeat(10_000)}{"$where":"1"}${'}'.repeat(10_000)}}`,
      400,
      'VALIDATION_FAILED',
      'phone',
    ],
    ['a whole body nested 400000 arrays deep (800 KB)', () => `${'['.repeat(400_000)}${']'.repeat(400_000)}`, 400, 'VALIDATION_FAILED', ''],
    ['a whole body of 1000000 unclosed brackets', () => '['.repeat(1_000_000), 400, 'MALFORMED_JSON', ''],
    ['trailing garbage after the object', () => '{"nickname":"x"} {"nickname":"y"}', 400, 'MALFORMED_JSON', ''],
    ['a trailing comma', () => '{"nickname":"x",}', 400, 'MALFORMED_JSON', ''],
    ['single quotes', () => "{'nickname':'x'}", 400, 'MALFORMED_JSON', ''],
    ['a NaN literal', () => '{"nickname":NaN}', 400, 'MALFORMED_JSON', ''],
    ['an empty body', () => '', 400, 'VALIDATION_FAILED', ''],
    ['whitespace only', () => ' \r\n\t ', 400, 'MALFORMED_JSON', ''],
    [
      'invalid UTF-8 (a lone continuation byte)',
      () => Buffer.concat([Buffer.from('{"nickname":"a'), Buffer.from([0x80]), Buffer.from('b"}')]),
      400,
      'MALFORMED_JSON',
      '',
    ],
    [
      'invalid UTF-8 (0xFF 0xFE)',
      () => Buffer.concat([Buffer.from('{"nickname":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      400,
      'MALFORMED_JSON',
      '',
    ],
    [
      'an overlong UTF-8 encoding of "."',
      () => Buffer.concat([Buffer.from('{"nickname":"'), Buffer.from([0xc0, 0xae]), Buffer.from('"}')]),
      400,
      'MALFORMED_JSON',
      '',
    ],
    [
      'a UTF-8-encoded surrogate (CESU-8)',
      () => Buffer.concat([Buffer.from('{"nickname":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      400,
      'MALFORMED_JSON',
      '',
    ],
    [
      'a UTF-8 sequence cut off at the end',
      () => Buffer.concat([Buffer.from('{"nickname":"x"}'), Buffer.from([0xe4, 0xb8])]),
      400,
      'MALFORMED_JSON',
      '',
    ],
    ['UTF-16 text declared as JSON', () => Buffer.from('{"nickname":"x"}', 'utf16le'), 400, 'MALFORMED_JSON', ''],
  ])('%s: refused, nothing stored', async (_name, body, status, code, field) => {
    const answer = await patchMe(body());
    expect([answer.status, answer.json.error.code]).toEqual([status, code]);
    if (field)
      expect(answer.json.error.details.map((d: { field: string }) => d.field)).toContainEqual(expect.stringMatching(new RegExp(`^${field}`)));
    expect(await fingerprint()).toEqual(before);
  });

  it.each<[string, string, string]>([
    ['a number beyond double range (1e400 → Infinity)', '{"score":1e400}', 'score'],
    ['-1e400', '{"score":-1e400}', 'score'],
    ['negative zero', '{"score":-0}', 'score'],
    ['a fraction', '{"score":4.5}', 'score'],
    ['"NaN" as a string', '{"score":"NaN"}', 'score'],
    ['"5" as a string', '{"score":"5"}', 'score'],
    ['a boolean', '{"score":true}', 'score'],
    ['an array holding a number', '{"score":[5]}', 'score'],
  ])('refuses %s where a number is expected', async (_name, raw, field) => {
    const answer = await rate(raw);
    expect([answer.status, answer.json.error.code, answer.json.error.details[0].field]).toEqual([400, 'VALIDATION_FAILED', field]);
  });

  it('refuses a whitespace-only JSON body to a body-less action (found by the long fuzz run), and takes an empty one', async () => {
    const whitespace = await send('POST', '/admin/forwarding/retry-failed', 'admin', '\r');
    expect([whitespace.status, whitespace.json.error.code]).toEqual([400, 'MALFORMED_JSON']);
    expect((await send('POST', '/admin/forwarding/retry-failed', 'admin', '')).status).toBe(200);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses -0 points as an adjustment of zero', async () => {
    const answer = await send('POST', '/admin/points/adjustments', 'admin', `{"citizenId":"${s.aliceId}","amount":-0,"reason":"负零"}`);
    expect([answer.status, answer.json.error.details[0].field]).toEqual([400, 'amount']);
    expect(await fingerprint()).toEqual(before);
  });

  it('takes the last of duplicate keys, as JSON.parse and every JavaScript client does', async () => {
    const answer = await send('PUT', '/me/points/preferences', 'carol', '{"anonymous":true,"anonymous":false}');
    expect(answer.status).toBe(200);
    expect((await send('GET', '/me/points', 'carol')).json.leaderboardAnonymous).toBe(false);
    before = await fingerprint();
  });

  it('takes a UTF-8 body with a byte-order mark, and +json and charset variants of the type', async () => {
    expect((await patchMe(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"nickname":"带BOM"}')]))).status).toBe(200);
    expect((await patchMe('{"nickname":"字符集"}', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await patchMe('{"nickname":"加json"}', { 'content-type': 'application/merge-patch+json' })).status).toBe(200);
    expect((await send('GET', '/me', 'carol')).json.nickname).toBe('加json');
    before = await fingerprint();
  });

  it.each([
    ['text/plain', '{"nickname":"x"}'],
    ['application/x-www-form-urlencoded', 'nickname=x'],
    ['multipart/form-data; boundary=X', '--X\r\nContent-Disposition: form-data; name="nickname"\r\n\r\nx\r\n--X--\r\n'],
    ['application/xml', '<nickname>x</nickname>'],
    ['application/octet-stream', '{"nickname":"x"}'],
  ])('refuses a body sent as %s with 415, storing nothing', async (type, body) => {
    const answer = await patchMe(body, { 'content-type': type });
    expect([answer.status, answer.json.error.code, answer.connection]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE', 'close']);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses a non-JSON body to an action whose body is optional, instead of acting as if none was sent', async () => {
    const campaign = await send('GET', `/admin/campaigns/${s.campaignId}`, 'publicity');
    const answer = await send('POST', `/admin/campaigns/${s.campaignId}/publish`, 'publicity', '{"version":0}', { 'content-type': 'text/plain' });
    expect([answer.status, answer.json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await send('GET', `/admin/campaigns/${s.campaignId}`, 'publicity')).json).toEqual(campaign.json);
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses a body without a Content-Type with 415, and still takes body-less actions', async () => {
    expect((await patchMe('{"nickname":"x"}')).status).toBe(200);
    const { port } = new URL(api.url);
    const untyped = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/me', method: 'PATCH', headers: { ...carol.auth, 'content-length': 16 } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end('{"nickname":"y"}');
    });
    expect([untyped.status, JSON.parse(untyped.body).error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect((await send('GET', '/me', 'carol')).json.nickname).toBe('x');
    // POST …/withdraw, …/confirm and friends carry neither a body nor a type.
    const confirm = await fetch(`${api.url}/me/reports/${s.reportId}/confirm`, { method: 'POST', headers: alice.auth });
    expect(confirm.status).not.toBe(415);
    await confirm.arrayBuffer();
    before = await fingerprint();
  });

  it('refuses a declared 50 MB JSON body at once, and a streamed one after the limit, closing the connection', async () => {
    const { port } = new URL(api.url);
    const declared = await new Promise<{ status: number; body: string; connection?: string; ms: number }>((resolve, reject) => {
      const started = Date.now();
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/reports',
        method: 'POST',
        headers: { ...alice.auth, 'content-type': 'application/json', 'content-length': 50 * MB },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body: text, connection: res.headers.connection, ms: Date.now() - started });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect([declared.status, JSON.parse(declared.body).error.code, declared.connection]).toEqual([413, 'PAYLOAD_TOO_LARGE', 'close']);

    // Chunked, no length: counted as it arrives, refused past the limit.
    const rss0 = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - rss0)), 5);
    const streamed = await new Promise<{ status: number; body: string; connection?: string; sent: number; ms: number }>((resolve, reject) => {
      const started = Date.now();
      let sent = 0;
      let answered = false;
      const req = http.request(
        { host: '127.0.0.1', port, path: '/reports', method: 'POST', headers: { ...alice.auth, 'content-type': 'application/json' } },
        (res) => {
          answered = true;
          const sentAtAnswer = sent;
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            resolve({ status: res.statusCode!, body: text, connection: res.headers.connection, sent: sentAtAnswer, ms: Date.now() - started });
            req.destroy();
          });
        },
      );
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!answered && !req.destroyed && sent < 50 * MB) {
          sent += chunk.length;
          if (!req.write(sent === chunk.length ? Buffer.concat([Buffer.from('{"description":"'), chunk.subarray(16)]) : chunk))
            return void req.once('drain', pump);
        }
        if (!answered && !req.destroyed) req.end('"}');
      };
      pump();
    });
    clearInterval(sampler);
    console.info(
      `[hostile-input] 50 MB JSON: declared → ${declared.status} in ${declared.ms} ms; streamed → ${streamed.status} after ${(streamed.sent / MB).toFixed(1)} MB sent, ${streamed.ms} ms, peak RSS growth ${(peak / MB).toFixed(0)} MB`,
    );
    expect([streamed.status, JSON.parse(streamed.body).error.code, streamed.connection]).toEqual([413, 'PAYLOAD_TOO_LARGE', 'close']);
    expect(streamed.sent).toBeLessThan(api.config.jsonBodyLimitBytes + 8 * MB);
    expect(peak).toBeLessThan(40 * MB);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('requests the HTTP parser refuses before the app sees them', () => {
  function rawExchange(wire: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const { port } = new URL(api.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(wire));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (text += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head, ...rest] = text.split('\r\n\r\n');
        const [statusLine, ...headerLines] = head.split('\r\n');
        const headers = Object.fromEntries(
          headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
      });
    });
  }

  const cases: Array<[string, string, number, string]> = [
    [
      'a 20 KB query string',
      `GET /open311/v2/requests.json?service_code=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'REQUEST_HEADERS_TOO_LARGE',
    ],
    ['a 20 KB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(20 * 1024)}\r\n\r\n`, 431, 'REQUEST_HEADERS_TOO_LARGE'],
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n', 400, 'MALFORMED_REQUEST'],
  ];
  it.each(cases)('answers %s in the error envelope and closes', async (_name, wire, status, code) => {
    const answer = await rawExchange(wire);
    expect([answer.status, answer.headers['content-type'], answer.headers.connection]).toEqual([status, 'application/json; charset=utf-8', 'close']);
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    const envelope = errorEnvelopeSchema.parse(JSON.parse(answer.body));
    expect(envelope.error.code).toBe(code);
    expect(envelope.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});
