/**
 * Who may call what: every registered route × every kind of caller.
 *
 * SPEC below is the authorisation specification, written by hand from the domain
 * (README, shared/src/auth.ts roles) and reviewed by people — not read from the
 * route guards. A route the API registers but SPEC does not list fails the test.
 *
 * Callers: anonymous; citizen A (owns the report, the claim, the subscription) and
 * citizen B (another citizen); one account per staff role, where `department` handles
 * department 1 (A's case is dispatched there) and `departmentOther` department 2; and
 * credentials an attacker could present (see helpers/authz.ts BAD_TOKENS).
 *
 * Expected answers, per cell:
 * - allowed: never 401/403/404 or 5xx; GETs answer 2xx. Mutating calls send an invalid
 *   body (or act on a resource whose state refuses the change), so they prove the
 *   guard let the caller through without changing anything;
 * - anonymous on a protected route: 401 UNAUTHENTICATED;
 * - signed in with the wrong kind or role: 403 FORBIDDEN;
 * - another citizen's report, or a case of another department: 404 NOT_FOUND, the same
 *   answer as for an id that does not exist, so existence does not leak (decision:
 *   the services already answer so; a 403 would confirm the id is real);
 * - any bad token, on every route, public ones included: 401 (the authenticate
 *   middleware refuses a bad token before routing, so a client never silently acts
 *   as anonymous with a broken sign-in); TOKEN_EXPIRED for an expired one.
 * Refused calls send a valid body, so only authorisation can stop them; after all of
 * them the whole database is compared with its state before: nothing may change.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  loginOptionsSchema,
  webAuthorizeUrlSchema,
  sharedCaseSchema,
  areaTreeSchema,
  campaignListSchema,
  categoryListSchema,
  cityAnswerSchema,
  departmentListSchema,
  healthSchema,
  leaderboardSchema,
  locateResultSchema,
  open311RequestSchema,
  open311ServiceDefinitionSchema,
  open311ServiceSchema,
  publicCampaignSchema,
  readinessSchema,
  rewardSchema,
  statsDepartmentsSchema,
  statsExportSchema,
  statsMapSchema,
  statsSummarySchema,
  statsTimeseriesSchema,
  statsTreeSchema,
  type ErrorCode,
} from '@ssp/shared';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { BAD_TOKENS, badTokenHeaders, call, registeredRoutes, snapshotDatabase, type Answer, type BadToken } from './helpers/authz';
import { loginCitizen, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity, offset } from './helpers/city';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';
import { decimals, privateFields, privateValues, strictDeep } from './helpers/public-fields';
import { staffLogin, type TestStaff } from './helpers/staff';

// ---------------------------------------------------------------- callers

const CALLERS = [
  'anonymous',
  'citizenA',
  'citizenB',
  'operator',
  'dispatcher',
  'department',
  'supervisor',
  'publicity',
  'admin',
  'departmentOther',
] as const;
type Caller = (typeof CALLERS)[number];
type StaffCaller = Exclude<Caller, 'anonymous' | 'citizenA' | 'citizenB'>;

const CITIZENS: Caller[] = ['citizenA', 'citizenB'];
const ALL_STAFF: Caller[] = ['operator', 'dispatcher', 'department', 'supervisor', 'publicity', 'admin', 'departmentOther'];
const SIGNED_IN: Caller[] = [...CITIZENS, ...ALL_STAFF];
/** The official flow's actors; a department handler only for its own department's cases. */
const CASE_DESK: Caller[] = ['operator', 'dispatcher', 'department', 'supervisor'];
const CAMPAIGN_STAFF: Caller[] = ['publicity', 'admin'];
/** Publicity staff hand out rewards; only admins change rewards or points. */
const CLAIM_STAFF: Caller[] = ['publicity', 'admin'];
const ADMIN: Caller[] = ['admin'];

// ---------------------------------------------------------------- fixtures

interface Fixtures {
  A: { id: string; token: string; refreshToken: string; openid: string; phone: string; nickname: string };
  B: TestCitizen;
  staff: Record<StaffCaller, TestStaff>;
  reportId: string;
  sharedCaseId: string;
  caseNo: string;
  caseVersion: number;
  photoId: string;
  exact: { lat: number; lng: number };
  campaignId: string;
  draftCampaignId: string;
  rewardId: string;
  claimId: string;
  districtId: string;
  categoryId: string;
  departmentId: string;
}

/** One row of the specification. */
interface RouteSpec {
  /** Exactly as registered: "METHOD /path". */
  route: string;
  /** 'public': anyone, token optional; 'signed': anyone, the request carries its own signature. */
  allow: Caller[] | 'public' | 'signed';
  /** Callers answered 404: the resource is someone else's (another citizen's report, another department's case). */
  hidden?: Caller[];
  /** The concrete URL (real resources for :params); default the route's path. */
  url?: (f: Fixtures) => string;
  /** Body of refused calls: valid, so only authorisation can stop them. */
  body?: (f: Fixtures) => unknown;
  /** Body of allowed calls: invalid (or refused by the resource's state), so nothing changes. */
  probe?: (f: Fixtures) => unknown;
  /** Further checks of an allowed answer (scoping of lists). */
  check?: (caller: Caller, res: Answer, f: Fixtures) => void;
  /** An allowed answer that is a refusal of the request itself (not of the caller). */
  allowedAnswer?: { status: number; code: ErrorCode };
}

const idsOf = (res: Answer): string[] => (res.json?.items ?? []).map((i: { id: string }) => i.id);
const reportOfA = (f: Fixtures) => `/me/reports/${f.reportId}`;
const caseOfA = (f: Fixtures) => `/staff/cases/${f.reportId}`;
const campaign = (f: Fixtures) => `/admin/campaigns/${f.campaignId}`;
const INVALID = { unknownField: true };
const stats = (path: string) => `${path}?from=2026-01&to=2026-11`;

const SPEC: RouteSpec[] = [
  // ---- meta and health: public by nature
  { route: 'GET /openapi.json', allow: 'public' },
  { route: 'GET /docs', allow: 'public' },
  { route: 'GET /healthz', allow: 'public' },
  { route: 'GET /readyz', allow: 'public' },

  // ---- sign-in: public; their bodies are the credentials
  { route: 'POST /auth/wechat', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/dev-login', allow: 'public', probe: () => ({}) },
  { route: 'GET /auth/options', allow: 'public' },
  { route: 'GET /auth/wechat-web/authorize-url', allow: 'public' },
  { route: 'POST /auth/wechat-web/login', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/sms/code', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/sms/login', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/refresh', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/logout', allow: 'public', probe: () => ({}) },
  { route: 'POST /auth/staff/login', allow: 'public', probe: () => ({}) },

  // ---- citizens' own profile: each citizen sees and edits only themself (no :id to reach another)
  { route: 'GET /me', allow: CITIZENS },
  { route: 'PATCH /me', allow: CITIZENS, body: () => ({ nickname: '被改掉的昵称' }), probe: () => ({ nickname: '' }) },

  // ---- staff accounts
  { route: 'GET /staff/me', allow: ALL_STAFF },
  // Each account links only itself (no :id); the probe is an empty body (400 for those allowed).
  { route: 'POST /staff/me/wechat', allow: ALL_STAFF, body: () => ({ code: 'intruder-code' }), probe: () => ({}) },
  { route: 'GET /admin/staff', allow: ADMIN },
  {
    route: 'POST /admin/staff',
    allow: ADMIN,
    body: () => ({ username: 'intruder', password: 'intruder-pass-1', displayName: '入侵者', role: 'admin' }),
    probe: () => ({}),
  },
  {
    route: 'PATCH /admin/staff/:id',
    allow: ADMIN,
    url: (f) => `/admin/staff/${f.staff.operator.id}`,
    body: () => ({ role: 'admin' }),
    probe: () => ({ role: 'nobody' }),
  },

  // ---- photos: anyone signed in uploads; stored photos are capability URLs (unguessable ids), public
  { route: 'POST /media', allow: SIGNED_IN, probe: () => ({}), body: () => ({}) },
  { route: 'GET /media/:id', allow: 'public', url: (f) => `/media/${f.photoId}` },
  { route: 'GET /media/:id/thumb', allow: 'public', url: (f) => `/media/${f.photoId}/thumb` },
  // WeChat's message push: signed with the push token (unset here), no bearer token gives access.
  {
    route: 'GET /wechat/push',
    allow: 'signed',
    url: () => `/wechat/push?signature=${'0'.repeat(40)}&timestamp=1&nonce=2&echostr=x`,
    allowedAnswer: { status: 401, code: 'WECHAT_PUSH_SIGNATURE_INVALID' },
  },
  {
    route: 'POST /wechat/push',
    allow: 'signed',
    url: () => `/wechat/push?signature=${'0'.repeat(40)}&timestamp=1&nonce=2`,
    probe: () => ({}),
    allowedAnswer: { status: 401, code: 'WECHAT_PUSH_SIGNATURE_INVALID' },
  },

  // ---- city data: public reads, admin replaces
  { route: 'GET /categories', allow: 'public' },
  { route: 'GET /departments', allow: 'public' },
  { route: 'GET /city', allow: 'public' },
  { route: 'GET /areas', allow: 'public' },
  { route: 'GET /areas/locate', allow: 'public', url: (f) => `/areas/locate?lat=${f.exact.lat}&lng=${f.exact.lng}` },
  { route: 'GET /geo/reverse', allow: CITIZENS, url: () => '/geo/reverse?lat=28.2&lng=112.9' },
  { route: 'GET /admin/catalogue', allow: ADMIN },
  { route: 'PUT /admin/catalogue', allow: ADMIN, body: () => [], probe: () => [] },
  { route: 'GET /admin/departments', allow: ADMIN },
  { route: 'PUT /admin/departments', allow: ADMIN, body: () => [], probe: () => [] },
  { route: 'GET /admin/areas', allow: ADMIN },
  // Grid boundaries for the staff console's map: every staff role, no citizen.
  { route: 'GET /staff/areas', allow: ALL_STAFF },
  { route: 'PUT /admin/areas', allow: ADMIN, body: () => ({}), probe: () => ({}) },
  { route: 'GET /admin/calendar', allow: ADMIN },
  // The working calendar, for deadline countdowns in the staff console: every staff role.
  { route: 'GET /staff/calendar', allow: ALL_STAFF },
  { route: 'PUT /admin/calendar', allow: ADMIN, body: () => ({}), probe: () => ({}) },

  // ---- citizens' reports
  {
    route: 'POST /reports',
    allow: CITIZENS,
    body: (f) => ({ categoryId: f.categoryId, description: '越权上报', location: f.exact, photoIds: [f.photoId], clientRequestId: randomUUID() }),
    probe: () => INVALID,
  },
  {
    route: 'GET /reports/nearby',
    allow: CITIZENS,
    url: (f) => `/reports/nearby?lat=${f.exact.lat}&lng=${f.exact.lng}&category=${f.categoryId}`,
    check: (caller, res, f) => {
      const mine = res.json.items.find((i: { id: string }) => i.id === f.reportId);
      expect(mine?.mine).toBe(caller === 'citizenA');
    },
  },
  // Backing ("我也遇到") is what other citizens do with a case they found nearby; A's own answers 400.
  { route: 'POST /reports/:id/support', allow: CITIZENS, url: (f) => `/reports/${f.reportId}/support` },
  {
    route: 'GET /me/reports',
    allow: CITIZENS,
    check: (caller, res, f) => expect(idsOf(res).includes(f.reportId)).toBe(caller === 'citizenA'),
  },
  { route: 'GET /me/reports/:id', allow: ['citizenA'], hidden: ['citizenB'], url: reportOfA },
  {
    route: 'PATCH /me/reports/:id',
    allow: ['citizenA'],
    hidden: ['citizenB'],
    url: reportOfA,
    body: () => ({ description: '被别人改写的描述' }),
    probe: () => ({}),
  },
  // Dispatched, so A's own withdrawal answers 409; B's must not even learn that.
  { route: 'POST /me/reports/:id/withdraw', allow: ['citizenA'], hidden: ['citizenB'], url: (f) => `${reportOfA(f)}/withdraw` },
  {
    route: 'POST /me/reports/:id/rating',
    allow: ['citizenA'],
    hidden: ['citizenB'],
    url: (f) => `${reportOfA(f)}/rating`,
    body: () => ({ score: 1, comment: '差评' }),
    probe: () => ({}),
  },
  {
    route: 'POST /me/reports/:id/not-fixed',
    allow: ['citizenA'],
    hidden: ['citizenB'],
    url: (f) => `${reportOfA(f)}/not-fixed`,
    body: () => ({ note: '没修好' }),
    probe: () => ({}),
  },
  { route: 'POST /me/reports/:id/confirm', allow: ['citizenA'], hidden: ['citizenB'], url: (f) => `${reportOfA(f)}/confirm` },
  {
    route: 'POST /me/reports/:id/share',
    allow: ['citizenA'],
    hidden: ['citizenB'],
    url: (f) => `${reportOfA(f)}/share`,
    allowedAnswer: { status: 409, code: 'CASE_NOT_CLOSED' },
  },
  { route: 'GET /shared-cases/:id', allow: 'public', url: (f) => `/shared-cases/${f.sharedCaseId}` },

  // ---- the official flow: the desk sees every case, a department handler only its own department's
  {
    route: 'GET /staff/cases',
    allow: [...CASE_DESK, 'departmentOther'],
    url: () => '/staff/cases?limit=100',
    check: (caller, res, f) => expect(idsOf(res).includes(f.reportId)).toBe(caller !== 'departmentOther'),
  },
  { route: 'GET /staff/cases/:id', allow: CASE_DESK, hidden: ['departmentOther'], url: caseOfA },
  {
    route: 'POST /staff/cases/:id/actions',
    allow: CASE_DESK,
    hidden: ['departmentOther'],
    url: (f) => `${caseOfA(f)}/actions`,
    body: (f) => ({ action: 'accept_task', version: f.caseVersion }),
    probe: () => ({}),
  },

  // ---- Open311: public reads; POST authenticates with its own api_key (none given: 400)
  { route: 'GET /open311/v2/discovery.:format', allow: 'public', url: () => '/open311/v2/discovery.json' },
  { route: 'GET /open311/v2/services.:format', allow: 'public', url: () => '/open311/v2/services.json' },
  { route: 'GET /open311/v2/services/:code.:format', allow: 'public', url: (f) => `/open311/v2/services/${f.categoryId}.json` },
  { route: 'GET /open311/v2/requests.:format', allow: 'public', url: () => '/open311/v2/requests.json' },
  { route: 'POST /open311/v2/requests.:format', allow: 'public', url: () => '/open311/v2/requests.json', probe: () => ({}) },
  { route: 'GET /open311/v2/requests/:id.:format', allow: 'public', url: (f) => `/open311/v2/requests/${f.caseNo}.json` },

  // ---- forwarding: callbacks are HMAC-signed by the external platform, no bearer token gives access
  {
    route: 'POST /forwarding/callback',
    allow: 'signed',
    probe: () => ({}),
    allowedAnswer: { status: 401, code: 'FORWARD_SIGNATURE_INVALID' },
  },
  // Forwarding is a filing/dispatch decision: the desk and admins, not handlers or supervisors.
  { route: 'GET /forwarding/targets', allow: ['operator', 'dispatcher', 'admin'] },
  { route: 'GET /admin/forwarding', allow: ADMIN },
  { route: 'POST /admin/forwarding/retry-failed', allow: ADMIN },

  // ---- campaigns: publicity staff (and admins) edit; citizens read published ones
  { route: 'POST /admin/campaigns', allow: CAMPAIGN_STAFF, probe: () => ({}), body: () => ({}) },
  { route: 'GET /admin/campaigns', allow: CAMPAIGN_STAFF },
  { route: 'GET /admin/campaigns/:id', allow: CAMPAIGN_STAFF, url: campaign },
  {
    route: 'PATCH /admin/campaigns/:id',
    allow: CAMPAIGN_STAFF,
    url: campaign,
    body: () => ({ version: 2, title: '被篡改的标题' }),
    probe: () => INVALID,
  },
  { route: 'GET /admin/campaigns/:id/preview', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/preview` },
  { route: 'POST /admin/campaigns/:id/publish', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/publish`, body: () => ({}), probe: () => INVALID },
  {
    route: 'POST /admin/campaigns/:id/unpublish',
    allow: CAMPAIGN_STAFF,
    url: (f) => `${campaign(f)}/unpublish`,
    body: () => ({ reason: '越权撤回' }),
    probe: () => INVALID,
  },
  { route: 'POST /admin/campaigns/:id/end', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/end`, body: () => ({}), probe: () => INVALID },
  { route: 'GET /admin/campaigns/:id/results', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/results` },
  { route: 'GET /admin/campaigns/:id/results.csv', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/results.csv` },
  { route: 'GET /admin/campaigns/:id/poster.png', allow: CAMPAIGN_STAFF, url: (f) => `${campaign(f)}/poster.png` },
  { route: 'GET /campaigns', allow: 'public' },
  { route: 'GET /campaigns/:id', allow: 'public', url: (f) => `/campaigns/${f.campaignId}` },
  { route: 'GET /me/campaign-subscriptions', allow: CITIZENS },
  { route: 'POST /me/campaign-subscriptions', allow: CITIZENS, body: (f) => ({ districtId: f.districtId }), probe: () => ({}) },
  { route: 'DELETE /me/campaign-subscriptions/:districtId', allow: CITIZENS, url: (f) => `/me/campaign-subscriptions/${f.districtId}` },

  // ---- message centre and subscriptions
  { route: 'GET /me/messages', allow: CITIZENS },
  { route: 'GET /me/messages/unread-count', allow: CITIZENS },
  { route: 'POST /me/messages/read', allow: CITIZENS, body: () => ({}), probe: () => ({ ids: ['not-an-id'] }) },
  { route: 'GET /me/subscriptions', allow: CITIZENS },
  { route: 'POST /me/subscriptions', allow: CITIZENS, body: () => ({ results: { 'tmpl-x': 'reject' } }), probe: () => ({ results: {} }) },

  // ---- points and rewards
  { route: 'GET /me/points', allow: CITIZENS },
  { route: 'GET /me/points/history', allow: CITIZENS },
  { route: 'PUT /me/points/preferences', allow: CITIZENS, body: () => ({ anonymous: false }), probe: () => ({}) },
  { route: 'GET /rewards', allow: 'public' },
  {
    route: 'POST /rewards/:id/claims',
    allow: CITIZENS,
    url: (f) => `/rewards/${f.rewardId}/claims`,
    body: () => ({ clientRequestId: randomUUID() }),
    probe: () => INVALID,
  },
  {
    route: 'GET /me/claims',
    allow: CITIZENS,
    check: (caller, res, f) => expect(idsOf(res).includes(f.claimId)).toBe(caller === 'citizenA'),
  },
  { route: 'GET /leaderboard', allow: 'public' },
  {
    route: 'POST /admin/points/adjustments',
    allow: ADMIN,
    body: (f) => ({ citizenId: f.B.id, amount: 1000, reason: '越权发放积分' }),
    probe: () => ({}),
  },
  { route: 'GET /admin/points/citizens/:id/history', allow: ADMIN, url: (f) => `/admin/points/citizens/${f.A.id}/history` },
  { route: 'GET /admin/points/citizens/:id', allow: ADMIN, url: (f) => `/admin/points/citizens/${f.A.id}` },
  // Citizens' nicknames and masked numbers: administrators only.
  { route: 'GET /admin/citizens', allow: ADMIN, url: () => `/admin/citizens?q=${encodeURIComponent('市民')}` },
  { route: 'GET /admin/rewards', allow: CLAIM_STAFF },
  { route: 'PUT /admin/rewards/:id', allow: ADMIN, url: (f) => `/admin/rewards/${f.rewardId}`, body: () => ({}), probe: () => ({}) },
  { route: 'GET /admin/claims', allow: CLAIM_STAFF },
  { route: 'GET /admin/claims/export.csv', allow: CLAIM_STAFF, url: () => '/admin/claims/export.csv?status=pending' },
  {
    route: 'POST /admin/claims/:id/fulfil',
    allow: CLAIM_STAFF,
    url: (f) => `/admin/claims/${f.claimId}/fulfil`,
    body: () => ({ code: 'STOLEN-0001' }),
    probe: () => ({}),
  },
  {
    route: 'POST /admin/claims/:id/fail',
    allow: CLAIM_STAFF,
    url: (f) => `/admin/claims/${f.claimId}/fail`,
    body: () => ({ reason: '越权标记失败' }),
    probe: () => ({}),
  },
  {
    route: 'POST /admin/claims/:id/delivered',
    allow: CLAIM_STAFF,
    url: (f) => `/admin/claims/${f.claimId}/delivered`,
    body: () => ({}),
    probe: () => INVALID,
  },

  // ---- statistics: anonymised public figures; the unsuppressed view for every staff role (department scoped)
  ...['summary', 'timeseries', 'categories', 'areas', 'departments', 'map', 'export.json', 'export.csv'].map((cut): RouteSpec => ({
    route: `GET /stats/public/${cut}`,
    allow: 'public',
    url: () => stats(`/stats/public/${cut}`),
  })),
  ...['summary', 'timeseries', 'categories', 'areas', 'departments', 'map'].map((cut): RouteSpec => ({
    route: `GET /stats/staff/${cut}`,
    allow: ALL_STAFF,
    url: () => stats(`/stats/staff/${cut}`),
  })),
  {
    route: 'GET /stats/staff/cases',
    allow: ALL_STAFF,
    url: () => stats('/stats/staff/cases'),
    check: (caller, res, f) => {
      if (caller === 'departmentOther') expect(idsOf(res)).not.toContain(f.reportId);
    },
  },
];

// ---------------------------------------------------------------- expectations

type Expectation = { kind: 'allowed' } | { kind: 'refused'; status: number; code: ErrorCode };

function expectationFor(spec: RouteSpec, caller: Caller): Expectation {
  if (spec.allow === 'public' || spec.allow === 'signed') return { kind: 'allowed' };
  if (spec.hidden?.includes(caller)) return { kind: 'refused', status: 404, code: 'NOT_FOUND' };
  if (spec.allow.includes(caller)) return { kind: 'allowed' };
  if (caller === 'anonymous') return { kind: 'refused', status: 401, code: 'UNAUTHENTICATED' };
  return { kind: 'refused', status: 403, code: 'FORBIDDEN' };
}

const BAD_TOKEN_CODE: Record<BadToken, string> = {
  expired: 'TOKEN_EXPIRED',
  tampered: 'UNAUTHENTICATED',
  flipped: 'UNAUTHENTICATED',
  wrongSecret: 'UNAUTHENTICATED',
  refreshToken: 'UNAUTHENTICATED',
  algNone: 'UNAUTHENTICATED',
  malformedHeader: 'UNAUTHENTICATED',
};

const methodOf = (spec: RouteSpec) => spec.route.split(' ')[0]!;
const urlOf = (spec: RouteSpec, f: Fixtures) => (spec.url ? spec.url(f) : spec.route.split(' ')[1]!);
const isRead = (spec: RouteSpec) => methodOf(spec) === 'GET';

// ---------------------------------------------------------------- setup

const clock = new TestClock(new Date('2026-11-23T02:00:00Z')); // Monday 10:00 in Beijing
let api: TestApi;
let wechat: FakeWeChat;
let f: Fixtures;
let callerHeaders: Record<Caller, Record<string, string>>;
let badHeaders: Record<BadToken, Record<string, string>>;

async function ok(res: Promise<Answer>, status = 200): Promise<Answer> {
  const answer = await res;
  if (answer.status !== status) throw new Error(`fixture call answered ${answer.status}: ${answer.text}`);
  return answer;
}

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({
    clock,
    env: { ...wechat.webEnv, DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: '100', STATS_PUBLIC_RATE_PER_MINUTE: '100000' },
  });
  const city = await demoCity(api);
  const [dept1, dept2] = city.departmentIds as [string, string];

  // Citizen A signs in through WeChat (so an openid exists to leak), binds a phone, hides from the leaderboard.
  const signIn = await ok(call(api, 'POST', '/auth/wechat', {}, { code: wechat.newCode('alice') }));
  const aAuth = { authorization: `Bearer ${signIn.json.accessToken}` };
  const A = {
    id: signIn.json.user.id as string,
    token: signIn.json.accessToken as string,
    refreshToken: signIn.json.refreshToken as string,
    openid: wechat.openidOf('alice'),
    phone: '13912345678',
    nickname: '爱丽丝甲',
  };
  await ok(call(api, 'PATCH', '/me', aAuth, { nickname: A.nickname, phone: A.phone }));
  await ok(call(api, 'PUT', '/me/points/preferences', aAuth, { anonymous: true }));
  const B = await loginCitizen(api, 'bob', '鲍勃乙');

  const staff: Record<StaffCaller, TestStaff> = {
    operator: await staffLogin(api, 'operator'),
    dispatcher: await staffLogin(api, 'dispatcher'),
    department: await staffLogin(api, 'department', dept1),
    supervisor: await staffLogin(api, 'supervisor'),
    publicity: await staffLogin(api, 'publicity'),
    admin: await staffLogin(api, 'admin'),
    departmentOther: await staffLogin(api, 'department', dept2),
  };

  // A's report, filed and dispatched to department 1; a few metres off the grid centroid, so its exact position is its own.
  const exact = offset(city.point, 7.3, -4.1);
  const [photoId] = (await uploadPhotos(api, { auth: aAuth }, 1)) as [string];
  const created = await ok(
    call(api, 'POST', '/reports', aAuth, {
      categoryId: city.publicCategory.id,
      description: '人行道井盖缺失，联系我 13912345678',
      location: exact,
      photoIds: [photoId],
      clientRequestId: randomUUID(),
    }),
    201,
  );
  const reportId = created.json.id as string;
  const version = async () => (await ok(call(api, 'GET', `/staff/cases/${reportId}`, staff.operator.auth))).json.version as number;
  await ok(call(api, 'POST', `/staff/cases/${reportId}/actions`, staff.operator.auth, { action: 'file', version: await version() }));
  const dispatched = await ok(
    call(api, 'POST', `/staff/cases/${reportId}/actions`, staff.dispatcher.auth, {
      action: 'dispatch',
      departmentId: dept1,
      version: await version(),
    }),
  );
  expect(dispatched.json.state).toBe('dispatched');

  // A second report of A's, closed and shared by A (the public before/after view).
  const second = await ok(
    call(api, 'POST', '/reports', aAuth, {
      categoryId: city.publicCategory.id,
      description: '第二处井盖缺失',
      location: exact,
      photoIds: [photoId],
      clientRequestId: randomUUID(),
    }),
    201,
  );
  const sharedCaseId = second.json.id as string;
  const steps = [
    ['file', 'operator'],
    ['dispatch', 'dispatcher'],
    ['report_handled', 'department'],
    ['verify_pass', 'supervisor'],
  ] as const;
  for (const [action, role] of steps) await api.services.workflow.transition(sharedCaseId, { action, actor: { role, id: null } });
  await ok(call(api, 'POST', `/me/reports/${sharedCaseId}/share`, aAuth, {}));

  // A published campaign and a draft nobody outside may see.
  const draft = (title: string) => ({
    title,
    summary: '两周内上报非法小广告，积分翻倍',
    body: '<p>欢迎参与</p>',
    startAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    endAt: new Date(clock.now().getTime() + 15 * 86_400_000).toISOString(),
    targetCategoryIds: [],
    targetAreaIds: [],
    multiplier: 2,
  });
  const published = await ok(call(api, 'POST', '/admin/campaigns', staff.publicity.auth, draft('清理小广告')), 201);
  await ok(call(api, 'POST', `/admin/campaigns/${published.json.id}/publish`, staff.publicity.auth, {}));
  const unpublished = await ok(call(api, 'POST', '/admin/campaigns', staff.publicity.auth, draft('内部草稿活动')), 201);

  // A claim of A's on the cheapest gift.
  await api.services.points.adjust(staff.admin.id, { citizenId: A.id, amount: 500, reason: '测试发放积分' });
  const rewards = (await ok(call(api, 'GET', '/rewards'))).json.items as { id: string; kind: string; costPoints: number }[];
  const gift = rewards.filter((r) => r.kind === 'gift').sort((a, b) => a.costPoints - b.costPoints)[0]!;
  const claim = await ok(call(api, 'POST', `/rewards/${gift.id}/claims`, aAuth, { clientRequestId: randomUUID() }), 201);

  const districtId = (await api.services.catalogue.areaTree()).districts[0]!.id;
  await ok(call(api, 'POST', '/me/campaign-subscriptions', aAuth, { districtId }));

  f = {
    A,
    B,
    sharedCaseId,
    staff,
    reportId,
    caseNo: created.json.caseNo as string,
    caseVersion: await version(),
    photoId,
    exact,
    campaignId: published.json.id as string,
    draftCampaignId: unpublished.json.id as string,
    rewardId: gift.id,
    claimId: claim.json.id as string,
    districtId,
    categoryId: city.publicCategory.id,
    departmentId: dept1,
  };
  const staffHeaders = Object.fromEntries(Object.entries(staff).map(([k, s]) => [k, s.auth])) as unknown as Record<
    StaffCaller,
    Record<string, string>
  >;
  callerHeaders = { anonymous: {}, citizenA: aAuth, citizenB: B.auth, ...staffHeaders };
  badHeaders = badTokenHeaders(api.config.jwtSecret, { userId: A.id, accessToken: A.token, refreshToken: A.refreshToken });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await wechat?.close();
});

// ---------------------------------------------------------------- the table covers the API

describe('the specification', () => {
  it('lists every registered route exactly once, and no route the API does not have', () => {
    const listed = SPEC.map((s) => s.route);
    expect(listed.length).toBe(new Set(listed).size);
    const registered = registeredRoutes(api);
    expect(registered.filter((r) => !listed.includes(r))).toEqual([]);
    expect(listed.filter((r) => !registered.includes(r))).toEqual([]);
    expect(registered.length).toBeGreaterThanOrEqual(97);
  });
});

// ---------------------------------------------------------------- refused cells first: nothing may change

describe('refused cells', () => {
  let before: Record<string, unknown[]>;
  beforeAll(async () => {
    await api.services.relay.settled(); // the reports' effects run after their answers
    before = await snapshotDatabase(api.db);
  });

  it.each(SPEC.map((spec) => [spec.route, spec] as const))('%s', async (_route, spec) => {
    const url = urlOf(spec, f);
    const body = spec.body?.(f) ?? spec.probe?.(f);
    const failures: string[] = [];
    for (const caller of CALLERS) {
      const want = expectationFor(spec, caller);
      if (want.kind !== 'refused') continue;
      const res = await call(api, methodOf(spec), url, callerHeaders[caller], body);
      if (res.status !== want.status || res.json?.error?.code !== want.code) {
        failures.push(`${caller}: ${res.status} ${res.json?.error?.code ?? res.text.slice(0, 80)} (want ${want.status} ${want.code})`);
      }
    }
    for (const token of BAD_TOKENS) {
      const res = await call(api, methodOf(spec), url, badHeaders[token], body);
      if (res.status !== 401 || res.json?.error?.code !== BAD_TOKEN_CODE[token]) {
        failures.push(`${token}: ${res.status} ${res.json?.error?.code ?? res.text.slice(0, 80)} (want 401 ${BAD_TOKEN_CODE[token]})`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('changed nothing in the database', async () => {
    expect(await snapshotDatabase(api.db)).toEqual(before);
  });

  it.each(SPEC.filter((spec) => spec.hidden).map((spec) => [spec.route, spec] as const))(
    '%s answers someone else’s resource exactly like one that does not exist',
    async (_route, spec) => {
      const missing = '0123456789abcdef01234567';
      for (const caller of spec.hidden!) {
        const ask = (url: string) => call(api, methodOf(spec), url, callerHeaders[caller], spec.body?.(f));
        const real = await ask(urlOf(spec, f));
        const none = await ask(urlOf(spec, f).replace(f.reportId, missing));
        expect([real.status, real.json]).toEqual([none.status, none.json]);
      }
    },
  );

  it('keeps a draft campaign unseen by the public', async () => {
    for (const caller of ['anonymous', 'citizenA'] as const) {
      const res = await call(api, 'GET', `/campaigns/${f.draftCampaignId}`, callerHeaders[caller]);
      expect(res.status).toBe(404);
    }
    expect(JSON.stringify((await call(api, 'GET', '/campaigns')).json)).not.toContain(f.draftCampaignId);
  });
});

// ---------------------------------------------------------------- allowed cells

describe('allowed cells', () => {
  it.each(SPEC.map((spec) => [spec.route, spec] as const))('%s', async (_route, spec) => {
    const url = urlOf(spec, f);
    const failures: string[] = [];
    for (const caller of CALLERS) {
      if (expectationFor(spec, caller).kind !== 'allowed') continue;
      const res = await call(api, methodOf(spec), url, callerHeaders[caller], spec.probe?.(f));
      const got = `${caller}: ${res.status} ${res.json?.error?.code ?? ''}`;
      if (spec.allowedAnswer) {
        if (res.status !== spec.allowedAnswer.status || res.json?.error?.code !== spec.allowedAnswer.code) failures.push(got);
        continue;
      }
      if ([401, 403, 404].includes(res.status) || res.status >= 500) failures.push(got);
      else if (isRead(spec) && (res.status < 200 || res.status >= 300)) failures.push(`${got} (a read must succeed)`);
      else if (spec.check && res.status < 300) {
        try {
          spec.check(caller, res, f);
        } catch (err) {
          failures.push(`${caller}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------- public answers leak nothing

const count = z.number();
const open311Discovery = z.object({
  changeset: z.string(),
  contact: z.string(),
  key_service: z.string(),
  endpoints: z.array(z.object({ specification: z.string(), url: z.string(), changeset: z.string(), type: z.string(), formats: z.array(z.string()) })),
});
/** Open311 publishes positions rounded to 3 decimals (about 100 m). */
const open311Requests = z.array(
  open311RequestSchema.extend({
    lat: count.refine((n) => decimals(n) <= 3, 'lat more precise than 3 decimals'),
    long: count.refine((n) => decimals(n) <= 3, 'long more precise than 3 decimals'),
  }),
);

/** The schema each public read answers with; 'binary' and 'document' answers are checked otherwise. */
const PUBLIC_ANSWERS: Record<string, z.ZodType | 'jpeg' | 'csv' | 'document'> = {
  'GET /openapi.json': 'document',
  'GET /docs': 'document',
  'GET /healthz': healthSchema,
  'GET /readyz': readinessSchema,
  'GET /media/:id': 'jpeg',
  'GET /media/:id/thumb': 'jpeg',
  'GET /categories': categoryListSchema,
  'GET /departments': departmentListSchema,
  'GET /city': cityAnswerSchema,
  'GET /areas': areaTreeSchema,
  'GET /areas/locate': locateResultSchema,
  'GET /open311/v2/discovery.:format': open311Discovery,
  'GET /open311/v2/services.:format': z.array(open311ServiceSchema),
  'GET /open311/v2/services/:code.:format': open311ServiceDefinitionSchema,
  'GET /open311/v2/requests.:format': open311Requests,
  'GET /open311/v2/requests/:id.:format': open311Requests,
  'GET /shared-cases/:id': sharedCaseSchema,
  'GET /auth/options': loginOptionsSchema,
  'GET /auth/wechat-web/authorize-url': webAuthorizeUrlSchema,
  'GET /campaigns': campaignListSchema,
  'GET /campaigns/:id': publicCampaignSchema,
  'GET /rewards': z.object({ items: z.array(rewardSchema) }),
  'GET /leaderboard': leaderboardSchema,
  'GET /stats/public/summary': statsSummarySchema,
  'GET /stats/public/timeseries': statsTimeseriesSchema,
  'GET /stats/public/categories': statsTreeSchema,
  'GET /stats/public/areas': statsTreeSchema,
  'GET /stats/public/departments': statsDepartmentsSchema,
  'GET /stats/public/map': statsMapSchema,
  'GET /stats/public/export.json': statsExportSchema,
  'GET /stats/public/export.csv': 'csv',
};

describe('public answers', () => {
  const publicReads = SPEC.filter((s) => s.allow === 'public' && isRead(s));

  it('have a public schema for every public read', () => {
    expect(publicReads.map((s) => s.route).filter((r) => !(r in PUBLIC_ANSWERS))).toEqual([]);
  });

  /** Strings and numbers that must never appear in a public answer. */
  const secrets = () => ({
    strings: [f.A.id, f.B.id, f.A.openid, f.A.phone, f.A.nickname, f.A.token, f.A.refreshToken, ...Object.values(f.staff).map((s) => s.id)],
    coordinates: [f.exact.lat, f.exact.lng],
  });

  it.each(publicReads.map((spec) => [spec.route, spec] as const))('%s carries only public fields', async (route, spec) => {
    const answer = PUBLIC_ANSWERS[route]!;
    // Anonymous and signed in alike: a caller's token must not unlock more on a public read.
    for (const caller of ['anonymous', 'citizenB'] as const) {
      const res = await call(api, 'GET', urlOf(spec, f), callerHeaders[caller]);
      expect(res.status).toBe(200);
      if (answer === 'jpeg') {
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        continue;
      }
      if (answer === 'document') continue; // describes field names; holds no one's data
      if (answer === 'csv') {
        const header = res.text
          .replace(/^\uFEFF/, '')
          .split('\r\n')[0]!
          .split(',');
        expect(header.filter((h) => /openid|phone|reporter|citizen|user|nickname|lat|lng/i.test(h))).toEqual([]);
        expect(secrets().strings.filter((s) => res.text.includes(s))).toEqual([]);
        continue;
      }
      const parsed = strictDeep(answer).safeParse(res.json);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
      expect(privateFields(res.json)).toEqual([]);
      expect(privateValues(res.json, secrets())).toEqual([]);
    }
  });

  it('publishes Open311 requests as XML without private fields either', async () => {
    const xml = (await call(api, 'GET', `/open311/v2/requests/${f.caseNo}.xml`)).text;
    expect(xml).toContain('<service_requests>');
    expect(xml).not.toMatch(/<(openid|phone|reporter|citizen|nickname|location)/i);
    expect(secrets().strings.filter((s) => xml.includes(s))).toEqual([]);
    expect(xml).not.toContain(String(f.exact.lat));
  });

  it('masks a phone number written into a description before publishing it', async () => {
    const [request] = (await call(api, 'GET', `/open311/v2/requests/${f.caseNo}.json`)).json as { description: string }[];
    expect(request!.description).toContain('139****5678');
  });

  it('answers a signed-in citizen’s own standing on the leaderboard and nobody else’s identity', async () => {
    const res = await call(api, 'GET', '/leaderboard', callerHeaders.citizenA);
    expect(strictDeep(leaderboardSchema).safeParse(res.json).success).toBe(true);
    expect(privateFields(res.json)).toEqual([]);
    expect(JSON.stringify(res.json)).not.toContain(f.B.id);
  });
});
