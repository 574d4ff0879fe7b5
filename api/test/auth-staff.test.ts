import jwt from 'jsonwebtoken';
import { errorEnvelopeSchema, staffAccountSchema, staffListSchema, staffLoginResultSchema, staffProfileSchema, tokenPairSchema } from '@ssp/shared';
import { getStaffModel } from '../src/auth/models';
import { signAccessToken, verifyAccessToken } from '../src/auth/tokens';
import { ApiError } from '../src/core/errors';
import { startTestApi, TestClock, type TestApi } from './helpers/harness';

let api: TestApi;
const clock = new TestClock();
let adminToken: string;
let adminId: string;

beforeAll(async () => {
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true' }, clock });
  const admin = await api.services.auth.createStaff({ username: 'admin', password: 'admin-pass-1', displayName: '系统管理员', role: 'admin' });
  adminId = admin.id;
  adminToken = (await login('admin', 'admin-pass-1')).accessToken;
});
afterAll(async () => {
  await api.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${api.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

const errorOf = (answer: Answer) => errorEnvelopeSchema.parse(answer.json).error;

async function login(username: string, password: string) {
  const res = await call('POST', '/auth/staff/login', { username, password });
  expect(res.status).toBe(200);
  return staffLoginResultSchema.parse(res.json);
}

async function createStaff(body: Record<string, unknown>) {
  const res = await call('POST', '/admin/staff', body, adminToken);
  expect(res.status).toBe(201);
  return staffAccountSchema.parse(res.json);
}

describe('staff login', () => {
  beforeAll(async () => {
    await api.services.auth.createStaff({ username: 'wang.dispatch', password: 'dispatch-pass', displayName: '王派遣', role: 'dispatcher' });
  });

  it('signs in with username and password and answers the profile', async () => {
    const result = await login('wang.dispatch', 'dispatch-pass');
    expect(result.staff).toEqual({
      id: expect.any(String),
      username: 'wang.dispatch',
      displayName: '王派遣',
      role: 'dispatcher',
      departmentId: null,
    });
    expect(verifyAccessToken(api.config.jwtSecret, result.accessToken)).toEqual({ kind: 'staff', userId: result.staff.id, role: 'dispatcher' });
    const me = await call('GET', '/staff/me', undefined, result.accessToken);
    expect(me.status).toBe(200);
    expect(staffProfileSchema.parse(me.json)).toEqual(result.staff);
  });

  it('ignores case and surrounding spaces in the username', async () => {
    expect((await login('  Wang.Dispatch ', 'dispatch-pass')).staff.username).toBe('wang.dispatch');
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await call('POST', '/auth/staff/login', { username: 'wang.dispatch', password: 'not-the-password' });
    const unknown = await call('POST', '/auth/staff/login', { username: 'nobody', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
    expect(errorOf(wrong).code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects missing credentials with the fields named', async () => {
    const res = await call('POST', '/auth/staff/login', { username: '' });
    expect(res.status).toBe(400);
    expect(
      errorOf(res)
        .details?.map((d) => d.field)
        .sort(),
    ).toEqual(['password', 'username']);
  });

  it('stores passwords as salted scrypt hashes', async () => {
    await api.services.auth.createStaff({ username: 'same-pass-a', password: 'identical-pass', displayName: '甲', role: 'operator' });
    await api.services.auth.createStaff({ username: 'same-pass-b', password: 'identical-pass', displayName: '乙', role: 'operator' });
    const stored = await getStaffModel(api.db)
      .find({ username: /^same-pass-/ })
      .lean();
    for (const s of stored) expect(s.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored[0]!.passwordHash).not.toBe(stored[1]!.passwordHash);
  });

  it('locks the account for 15 minutes after 5 wrong passwords in a row', async () => {
    await api.services.auth.createStaff({ username: 'li.operator', password: 'operator-pass', displayName: '李受理', role: 'operator' });
    const attempt = (password: string) => call('POST', '/auth/staff/login', { username: 'li.operator', password });

    for (let i = 1; i <= 4; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const fifth = await attempt('wrong-5');
    expect(fifth.status).toBe(423);
    expect(errorOf(fifth).code).toBe('ACCOUNT_LOCKED');
    expect(fifth.headers.get('retry-after')).toBe('900');

    // Locked: even the right password is refused.
    const locked = await attempt('operator-pass');
    expect(locked.status).toBe(423);
    expect(errorOf(locked).code).toBe('ACCOUNT_LOCKED');
    const listed = staffListSchema.parse((await call('GET', '/admin/staff', undefined, adminToken)).json);
    expect(listed.items.find((s) => s.username === 'li.operator')?.lockedUntil).toBe(new Date(clock.now().getTime() + 900_000).toISOString());

    clock.advance(14 * 60_000);
    const stillLocked = await attempt('operator-pass');
    expect(stillLocked.status).toBe(423);
    expect(stillLocked.headers.get('retry-after')).toBe('60');

    clock.advance(60_000);
    expect((await attempt('operator-pass')).status).toBe(200);
    // The count starts again from zero.
    for (let i = 1; i <= 4; i++) expect((await attempt(`again-${i}`)).status).toBe(401);
    expect((await attempt('operator-pass')).status).toBe(200);
  });

  it('resets the failure count on a successful login', async () => {
    await api.services.auth.createStaff({ username: 'zhao', password: 'zhao-password', displayName: '赵', role: 'operator' });
    const attempt = (password: string) => call('POST', '/auth/staff/login', { username: 'zhao', password });
    for (let i = 0; i < 4; i++) expect((await attempt('wrong-pass')).status).toBe(401);
    expect((await attempt('zhao-password')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt('wrong-pass')).status).toBe(401);
    expect((await attempt('zhao-password')).status).toBe(200);
  });

  it('refuses a disabled account with the right password, and ends its sign-ins', async () => {
    const staff = await createStaff({ username: 'sun', password: 'sun-password', displayName: '孙', role: 'supervisor' });
    const before = await login('sun', 'sun-password');
    const disable = await call('PATCH', `/admin/staff/${staff.id}`, { active: false }, adminToken);
    expect(disable.status).toBe(200);
    expect(disable.json.active).toBe(false);

    const res = await call('POST', '/auth/staff/login', { username: 'sun', password: 'sun-password' });
    expect(res.status).toBe(403);
    expect(errorOf(res).code).toBe('ACCOUNT_DISABLED');
    const wrong = await call('POST', '/auth/staff/login', { username: 'sun', password: 'wrong-password' });
    expect(errorOf(wrong).code).toBe('INVALID_CREDENTIALS');

    const refresh = await call('POST', '/auth/refresh', { refreshToken: before.refreshToken });
    expect(refresh.status).toBe(401);
    expect(errorOf(refresh).code).toBe('REFRESH_TOKEN_INVALID');
    expect((await call('GET', '/staff/me', undefined, before.accessToken)).status).toBe(401);
  });
});

describe('staff refresh', () => {
  it('re-reads role and department from the account at refresh', async () => {
    const staff = await createStaff({ username: 'qian', password: 'qian-password', displayName: '钱', role: 'dispatcher' });
    const signedIn = await login('qian', 'qian-password');
    const patch = await call('PATCH', `/admin/staff/${staff.id}`, { role: 'department', departmentId: 'dept-water' }, adminToken);
    expect(patch.status).toBe(200);

    const res = await call('POST', '/auth/refresh', { refreshToken: signedIn.refreshToken });
    expect(res.status).toBe(200);
    const pair = tokenPairSchema.parse(res.json);
    expect(verifyAccessToken(api.config.jwtSecret, pair.accessToken)).toEqual({
      kind: 'staff',
      userId: staff.id,
      role: 'department',
      departmentId: 'dept-water',
    });
    // Rotation and reuse detection work for staff as for citizens.
    const reuse = await call('POST', '/auth/refresh', { refreshToken: signedIn.refreshToken });
    expect(errorOf(reuse).code).toBe('REFRESH_TOKEN_REUSED');
  });
});

describe('staff administration', () => {
  it('lists accounts without password hashes', async () => {
    const res = await call('GET', '/admin/staff', undefined, adminToken);
    expect(res.status).toBe(200);
    const list = staffListSchema.parse(res.json);
    expect(list.items.map((s) => s.username)).toContain('admin');
    expect(res.text).not.toMatch(/passwordHash|scrypt|failedLogins/);
  });

  it('creates an account that can sign in', async () => {
    const created = await createStaff({
      username: 'Dept.Roads',
      password: 'roads-password',
      displayName: '市政道路科',
      role: 'department',
      departmentId: 'dept-roads',
    });
    expect(created).toMatchObject({
      username: 'dept.roads',
      role: 'department',
      departmentId: 'dept-roads',
      active: true,
      lockedUntil: null,
      lastLoginAt: null,
    });
    expect((await login('dept.roads', 'roads-password')).staff.departmentId).toBe('dept-roads');
  });

  it('answers a taken username with 409 naming the field', async () => {
    await createStaff({ username: 'taken', password: 'taken-password', displayName: '甲', role: 'publicity' });
    const res = await call(
      'POST',
      '/admin/staff',
      { username: 'TAKEN', password: 'other-password', displayName: '乙', role: 'publicity' },
      adminToken,
    );
    expect(res.status).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'CONFLICT', details: [{ field: 'username' }] });
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['a department account without a department', { role: 'department' }, 'departmentId'],
    ['another role with a department', { role: 'dispatcher', departmentId: 'dept-roads' }, 'departmentId'],
    ['a short password', { role: 'operator', password: 'short' }, 'password'],
    ['an unknown role', { role: 'mayor' }, 'role'],
    ['a bad username', { role: 'operator', username: 'a b' }, 'username'],
    ['an empty display name', { role: 'operator', displayName: ' ' }, 'displayName'],
  ];
  it.each(invalid)('rejects %s with the field named', async (_label, override, field) => {
    const body = { username: 'new-user', password: 'new-password', displayName: '新用户', ...override };
    const res = await call('POST', '/admin/staff', body, adminToken);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field }] });
    expect(await getStaffModel(api.db).countDocuments({ username: 'new-user' })).toBe(0);
  });

  it('validates input given to createStaff directly (seeding)', async () => {
    await expect(
      api.services.auth.createStaff({ username: 'seeded', password: 'seed-password', displayName: '种子', role: 'department' }),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED' } satisfies Partial<ApiError>);
  });

  it('updates name, role and department, checking the combination against the stored account', async () => {
    const staff = await createStaff({ username: 'zhou', password: 'zhou-password', displayName: '周', role: 'operator' });
    const path = `/admin/staff/${staff.id}`;

    const noDept = await call('PATCH', path, { role: 'department' }, adminToken);
    expect(noDept.status).toBe(400);
    expect(errorOf(noDept)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'departmentId' }] });

    const toDept = await call('PATCH', path, { role: 'department', departmentId: 'dept-green', displayName: '周（园林）' }, adminToken);
    expect(toDept.status).toBe(200);
    expect(toDept.json).toMatchObject({ role: 'department', departmentId: 'dept-green', displayName: '周（园林）' });

    const stray = await call('PATCH', path, { role: 'supervisor', departmentId: 'dept-green' }, adminToken);
    expect(stray.status).toBe(400);

    // Leaving the department role detaches the account from the department.
    const away = await call('PATCH', path, { role: 'supervisor' }, adminToken);
    expect(away.status).toBe(200);
    expect(away.json).toMatchObject({ role: 'supervisor', departmentId: null });
  });

  it('resets a password: the old one stops working, the lock is lifted and sign-ins end', async () => {
    const staff = await createStaff({ username: 'wu.op', password: 'wu-old-password', displayName: '吴', role: 'operator' });
    const before = await login('wu.op', 'wu-old-password');
    for (let i = 0; i < 5; i++) await call('POST', '/auth/staff/login', { username: 'wu.op', password: 'wrong-password' });
    expect((await call('POST', '/auth/staff/login', { username: 'wu.op', password: 'wu-old-password' })).status).toBe(423);

    const reset = await call('PATCH', `/admin/staff/${staff.id}`, { password: 'wu-new-password' }, adminToken);
    expect(reset.status).toBe(200);
    expect(reset.json.lockedUntil).toBeNull();
    expect(errorOf(await call('POST', '/auth/staff/login', { username: 'wu.op', password: 'wu-old-password' })).code).toBe('INVALID_CREDENTIALS');
    expect((await call('POST', '/auth/staff/login', { username: 'wu.op', password: 'wu-new-password' })).status).toBe(200);
    expect(errorOf(await call('POST', '/auth/refresh', { refreshToken: before.refreshToken })).code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('answers an unknown or malformed account id with 404', async () => {
    for (const id of ['0123456789abcdef01234567', 'nope']) {
      const res = await call('PATCH', `/admin/staff/${id}`, { displayName: '无' }, adminToken);
      expect(res.status).toBe(404);
      expect(errorOf(res).code).toBe('NOT_FOUND');
    }
  });

  it('keeps administrators from disabling or demoting themselves', async () => {
    for (const [patch, field] of [
      [{ active: false }, 'active'],
      [{ role: 'operator' }, 'role'],
    ] as const) {
      const res = await call('PATCH', `/admin/staff/${adminId}`, patch, adminToken);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field }] });
    }
    const stored = await getStaffModel(api.db).findById(adminId).lean();
    expect(stored).toMatchObject({ active: true, role: 'admin' });
  });

  it('rejects unknown fields in an update', async () => {
    const res = await call('PATCH', `/admin/staff/${adminId}`, { failedLogins: 0 }, adminToken);
    expect(res.status).toBe(400);
    expect(errorOf(res).code).toBe('VALIDATION_FAILED');
  });
});

describe('guards', () => {
  let dispatcherToken: string;
  let citizenToken: string;
  beforeAll(async () => {
    await createStaff({ username: 'guard-dispatch', password: 'guard-password', displayName: '派遣', role: 'dispatcher' });
    dispatcherToken = (await login('guard-dispatch', 'guard-password')).accessToken;
    citizenToken = (await call('POST', '/auth/dev-login', { devUser: 'guard-citizen' })).json.accessToken;
  });

  it('keeps non-admin staff out of staff administration', async () => {
    for (const [method, path, body] of [
      ['GET', '/admin/staff', undefined],
      ['POST', '/admin/staff', { username: 'x-user', password: 'x-password', displayName: 'x', role: 'admin' }],
      ['PATCH', `/admin/staff/${adminId}`, { displayName: '篡改' }],
    ] as const) {
      const res = await call(method, path, body, dispatcherToken);
      expect(res.status).toBe(403);
      expect(errorOf(res).code).toBe('FORBIDDEN');
    }
    expect(await getStaffModel(api.db).countDocuments({ username: 'x-user' })).toBe(0);
  });

  it('keeps citizens out of staff routes and staff out of citizen routes', async () => {
    for (const path of ['/staff/me', '/admin/staff']) {
      const res = await call('GET', path, undefined, citizenToken);
      expect(res.status).toBe(403);
      expect(errorOf(res).code).toBe('FORBIDDEN');
    }
    const me = await call('GET', '/me', undefined, dispatcherToken);
    expect(me.status).toBe(403);
    expect(errorOf(me).code).toBe('FORBIDDEN');
  });

  it('answers a missing token on a staff route with 401', async () => {
    const res = await call('GET', '/staff/me');
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['garbage', () => 'not-a-token'],
    [
      'a tampered payload',
      () => {
        const [h, p, s] = dispatcherToken.split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
        const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
    ],
    ['another secret', () => signAccessToken('another-secret-another-secret-another-secret', { kind: 'staff', userId: adminId, role: 'admin' })],
    ['the "none" algorithm', () => jwt.sign({ sub: adminId, typ: 'staff', role: 'admin' }, '', { algorithm: 'none', issuer: 'suishoupai' })],
  ])('answers %s as an access token with 401 UNAUTHENTICATED', async (_label, token) => {
    const res = await call('GET', '/admin/staff', undefined, token());
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('UNAUTHENTICATED');
  });

  it('answers a malformed authorization header with 401', async () => {
    const res = await fetch(`${api.url}/staff/me`, { headers: { authorization: `Token ${dispatcherToken}` } });
    expect(res.status).toBe(401);
    expect(errorEnvelopeSchema.parse(await res.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('answers an expired access token with 401 TOKEN_EXPIRED', async () => {
    const claims = { sub: adminId, typ: 'staff', role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 };
    const expired = jwt.sign(claims, api.config.jwtSecret, { algorithm: 'HS256', issuer: 'suishoupai' });
    const res = await call('GET', '/admin/staff', undefined, expired);
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('TOKEN_EXPIRED');
  });
});
