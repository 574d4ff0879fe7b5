import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  gridBoundariesSchema,
  calendarSchema,
  categoriesFileSchema,
  categoryListSchema,
  departmentListSchema,
  departmentsFileSchema,
  errorEnvelopeSchema,
  type Category,
  type Department,
} from '@ssp/shared';
import { signAccessToken } from '../src/auth/tokens';
import { CatalogueService } from '../src/catalogue/service';
import { startTestApi, type TestApi } from './helpers/harness';

const DEMO_DIR = path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo');
const demoFile = (name: string): unknown => JSON.parse(readFileSync(path.join(DEMO_DIR, name), 'utf8'));
const demoCategories = (): Category[] => categoriesFileSchema.parse(demoFile('categories.json'));
const demoDepartments = (): Department[] => departmentsFileSchema.parse(demoFile('departments.json'));

/** Centre points of demo grids (from areas.geojson) in a street of the old town and in the industrial park. */
const IN_QH0101 = { lat: 28.72, lng: 115.774 }; // QH010101
const IN_QH0301 = { lat: 28.716, lng: 115.82 }; // 桃源镇, 工业园区

let api: TestApi;
let adminToken: string;
let citizenToken: string;
let dispatcherToken: string;

beforeAll(async () => {
  api = await startTestApi();
  adminToken = signAccessToken(api.config.jwtSecret, { kind: 'staff', userId: 'admin-1', role: 'admin' });
  dispatcherToken = signAccessToken(api.config.jwtSecret, { kind: 'staff', userId: 'disp-1', role: 'dispatcher' });
  citizenToken = signAccessToken(api.config.jwtSecret, { kind: 'citizen', userId: 'citizen-1' });
});
afterAll(async () => {
  await api.close();
});

async function errorOf(res: Response) {
  return errorEnvelopeSchema.parse(await res.json()).error;
}

function put(pathname: string, body: unknown, token: string | null = adminToken): Promise<Response> {
  return fetch(`${api.url}${pathname}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function getCategories(query = ''): Promise<ReturnType<typeof categoryListSchema.parse>> {
  const res = await fetch(`${api.url}/categories${query}`);
  expect(res.status).toBe(200);
  return categoryListSchema.parse(await res.json());
}

describe('demo city data files', () => {
  it('has at least 60 minor categories covering all 12 majors of both families', () => {
    const categories = demoCategories();
    expect(categories.length).toBeGreaterThanOrEqual(60);
    const majors = new Set(categories.map((c) => `${c.family}:${c.majorCode}`));
    for (const code of ['01', '02', '03', '04', '05', '06']) expect(majors).toContain(`component:${code}`);
    for (const code of ['01', '02', '03', '04', '05', '99']) expect(majors).toContain(`event:${code}`);
    expect(majors.size).toBe(12);
  });

  it('contains every example of the domain brief under its standard code', () => {
    const byId = new Map(demoCategories().map((c) => [c.id, c.name]));
    const examples: Record<string, string> = {
      C0101: '上水井盖',
      C0102: '污水井盖',
      C0103: '雨水井盖',
      C0104: '雨水箅子',
      C0114: '不明井盖',
      C0118: '路灯',
      C0201: '停车场',
      C0203: '公交站亭',
      C0209: '交通标志牌',
      C0213: '路名牌',
      C0301: '公共厕所',
      C0305: '垃圾箱',
      C0307: '广告牌匾',
      C0401: '古树名木',
      C0402: '行道树',
      C0405: '绿地',
      E0101: '私搭乱建',
      E0102: '暴露垃圾',
      E0103: '积存垃圾渣土',
      E0104: '道路不洁',
      E0106: '绿地脏乱',
      E0107: '废弃车辆',
      E0201: '非法小广告',
      E0204: '街头散发广告',
      E0301: '施工扰民',
      E0305: '无证掘路',
      E0401: '路面塌陷',
      E0402: '自来水管破裂',
      E0404: '下水道堵塞或破损',
      E0406: '道路积水',
      E0407: '道路积雪结冰',
      E0501: '无照经营游商',
      E0504: '店外经营',
      E0505: '机动车乱停放',
      E0506: '非机动车乱停放',
      E0507: '乱堆物料',
      E0510: '露天烧烤',
      E0511: '沿街晾挂',
    };
    for (const [id, name] of Object.entries(examples)) expect([id, byId.get(id)]).toEqual([id, name]);
  });

  it('uses the brief time limits and rewards urgent hazards more', () => {
    const byId = new Map(demoCategories().map((c) => [c.id, c]));
    expect(byId.get('E0408')).toMatchObject({ name: '井盖缺失', timeLimit: { value: 2, unit: 'urgent_hours' } });
    expect(byId.get('C0103')!.timeLimit).toEqual({ value: 4, unit: 'work_hours' });
    expect(byId.get('E0102')!.timeLimit).toEqual({ value: 4, unit: 'work_hours' });
    expect(byId.get('E0116')!.timeLimit).toEqual({ value: 20, unit: 'work_days' });
    expect(byId.get('E0408')!.basePoints).toBeGreaterThan(byId.get('E0102')!.basePoints);
    const internal = [...byId.values()].filter((c) => !c.publicReportable).map((c) => c.id);
    expect(internal).toEqual(expect.arrayContaining(['C0501', 'C0502', 'C0503']));
  });

  it('names an existing department as every default, and departments only existing categories', () => {
    const departments = demoDepartments();
    const departmentIds = new Set(departments.map((d) => d.id));
    const categories = demoCategories();
    for (const c of categories) expect([c.id, departmentIds.has(c.defaultDepartmentId)]).toEqual([c.id, true]);
    const categoryIds = new Set(categories.map((c) => c.id));
    for (const id of departments.flatMap((d) => d.categories ?? [])) expect([id, categoryIds.has(id)]).toEqual([id, true]);
    expect(departments.filter((d) => d.kind === 'area')).toHaveLength(8);
  });

  it('has a valid calendar with the 2026 Spring Festival break and its make-up Saturdays', () => {
    const calendar = calendarSchema.parse(demoFile('calendar.json'));
    expect(calendar.holidays).toEqual(expect.arrayContaining(['2026-02-15', '2026-02-23', '2026-10-07', '2027-02-06']));
    expect(calendar.extraWorkdays).toEqual(expect.arrayContaining(['2026-02-14', '2026-02-28']));
  });
});

describe('loading city data', () => {
  it('seeds the configured folder once, then leaves stored data alone', async () => {
    expect(await api.services.catalogue.seedCityDataIfEmpty()).toBe(true);
    expect(await api.services.catalogue.seedCityDataIfEmpty()).toBe(false);
    expect((await api.services.catalogue.allCategories()).length).toBe(demoCategories().length);
    expect(await api.services.catalogue.getCity()).toMatchObject({ id: 'demo', coordinateSystem: 'gcj02' });
  });

  it('refuses a folder with a broken file, naming file and field, and keeps the stored data', async () => {
    const error = await api.services.catalogue.loadCityDataFromDir(path.join(DEMO_DIR, 'no-such-city')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'CITY_DATA_INVALID' });
    const fields = (error as { details: { field: string }[] }).details.map((d) => d.field);
    expect(fields).toEqual(['city.json', 'categories.json', 'departments.json', 'areas.geojson', 'calendar.json']);
    expect((await api.services.catalogue.allCategories()).length).toBe(demoCategories().length);
  });
});

describe('GET /categories', () => {
  it('lists every category, most popular first, without routing internals', async () => {
    const { categories, majors } = await getCategories();
    expect(categories).toHaveLength(demoCategories().length);
    expect(categories[0]!.id).toBe('E0102'); // 暴露垃圾 is the most common report
    const popularity = new Map(demoCategories().map((c) => [c.id, c.popularity ?? 0]));
    for (let i = 1; i < categories.length; i++) {
      expect(popularity.get(categories[i - 1]!.id)!).toBeGreaterThanOrEqual(popularity.get(categories[i]!.id)!);
    }
    expect(categories[0]).not.toHaveProperty('defaultDepartmentId');
    expect(categories[0]).not.toHaveProperty('popularity');
    expect(majors).toHaveLength(12);
    expect(majors[0]).toEqual({ family: 'component', code: '01', name: '公用设施' });
    expect(majors[majors.length - 1]).toEqual({ family: 'event', code: '99', name: '其他' });
  });

  it('filters by family and by public reportability', async () => {
    const events = await getCategories('?family=event');
    expect(events.categories.length).toBeGreaterThan(30);
    expect(events.categories.every((c) => c.family === 'event')).toBe(true);
    expect(events.majors.every((m) => m.family === 'event')).toBe(true);

    const publicOnly = await getCategories('?public=true');
    expect(publicOnly.categories.every((c) => c.publicReportable)).toBe(true);
    expect(publicOnly.categories.map((c) => c.id)).not.toContain('C0501');
    expect((await getCategories('?public=false')).categories.map((c) => c.id)).toContain('C0501');
  });

  it('searches names, majors, keywords and codes', async () => {
    const covers = (await getCategories(`?q=${encodeURIComponent('井盖')}`)).categories.map((c) => c.id);
    expect(covers.sort()).toEqual(['C0101', 'C0102', 'C0103', 'C0105', 'C0106', 'C0107', 'C0110', 'C0111', 'C0114', 'E0408']);
    const rain = (await getCategories(`?q=${encodeURIComponent(' 井盖  雨水 ')}`)).categories.map((c) => c.id);
    expect(rain).toEqual(['C0103']);
    expect((await getCategories('?q=0505')).categories.map((c) => c.id)).toEqual(['E0505']);
    expect((await getCategories(`?q=${encodeURIComponent('牛皮癣')}&family=event`)).categories.map((c) => c.id)).toEqual(['E0201']);
    expect((await getCategories(`?q=${encodeURIComponent('园林绿化')}&family=component`)).categories).toHaveLength(7);
    expect((await getCategories(`?q=${encodeURIComponent('井盖')}&family=event`)).categories.map((c) => c.id)).toEqual(['E0408']);
    expect((await getCategories('?q=nothing-matches')).categories).toEqual([]);
  });

  it('answers bad filters with 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['?family=thing', 'family'],
      ['?public=yes', 'public'],
      [`?q=${'长'.repeat(51)}`, 'q'],
      ['?family=event&family=component', 'family'],
    ]) {
      const res = await fetch(`${api.url}/categories${encodeURI(query!)}`);
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.[0]?.field).toBe(field);
    }
  });
});

describe('category, department and calendar lookups', () => {
  it('gets a category or fails with CATEGORY_NOT_FOUND / CATEGORY_NOT_PUBLIC on categoryId', async () => {
    const { catalogue } = api.services;
    expect((await catalogue.getCategory('C0103')).name).toBe('雨水井盖');
    await expect(catalogue.getCategory('C9999')).rejects.toMatchObject({
      status: 400,
      code: 'CATEGORY_NOT_FOUND',
      details: [{ field: 'categoryId', issue: expect.any(String) }],
    });
    expect((await catalogue.requirePublicCategory('E0102')).id).toBe('E0102');
    await expect(catalogue.requirePublicCategory('C0501')).rejects.toMatchObject({
      status: 400,
      code: 'CATEGORY_NOT_PUBLIC',
      details: [{ field: 'categoryId', issue: expect.any(String) }],
    });
  });

  it('lists departments publicly without internals', async () => {
    const res = await fetch(`${api.url}/departments`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const { departments } = departmentListSchema.parse(body);
    expect(departments).toHaveLength(demoDepartments().length);
    expect((body as { departments: object[] }).departments[0]).toEqual({ id: 'dept-municipal', name: '市政公用服务中心', kind: 'owner' });
    expect(await api.services.catalogue.getDepartment('street-QH0101')).toMatchObject({ kind: 'area', areaIds: ['QH0101'] });
    expect(await api.services.catalogue.getDepartment('no-such')).toBeNull();
  });

  it('serves the city and the calendar', async () => {
    const res = await fetch(`${api.url}/city`);
    expect(await res.json()).toEqual({
      id: 'demo',
      name: '青禾县（演示）',
      center: { lat: 28.7, lng: 115.8 },
      coordinateSystem: 'gcj02',
      // The deployment's map tiles (MAP_TILE_URL), GCJ-02 like everything else.
      mapTiles: {
        url: 'https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}',
        subdomains: '1234',
        datum: 'gcj02',
      },
    });
    const calendar = await api.services.catalogue.getCalendar();
    expect(calendar.workingHours).toEqual([
      { start: '08:30', end: '12:00' },
      { start: '14:00', end: '17:30' },
    ]);
  });
});

describe('proposeDepartment', () => {
  it('puts the owner first for a component and the street office first for an event', async () => {
    const { catalogue } = api.services;
    expect(await catalogue.proposeDepartment('C0103', IN_QH0101)).toEqual(['dept-municipal', 'street-QH0101']);
    expect(await catalogue.proposeDepartment('E0102', IN_QH0101)).toEqual(['street-QH0101', 'dept-sanitation']);
  });

  it('adds co-owners, limits area-bound owners to their area, and takes area ids instead of a point', async () => {
    const { catalogue } = api.services;
    expect(await catalogue.proposeDepartment('E0404', IN_QH0301)).toEqual([
      'street-QH0301',
      'dept-municipal',
      'dept-water',
      'dept-park-construction',
    ]);
    expect(await catalogue.proposeDepartment('E0404', IN_QH0101)).toEqual(['street-QH0101', 'dept-municipal', 'dept-water']);
    expect(await catalogue.proposeDepartment('C0118', { gridId: 'QH030101', streetId: 'QH0301', districtId: 'QH03' })).toEqual([
      'dept-municipal',
      'dept-power',
      'dept-park-construction',
      'street-QH0301',
    ]);
    expect(await catalogue.proposeDepartment('E0102', null)).toEqual(['dept-sanitation']);
    await expect(catalogue.proposeDepartment('E9999', null)).rejects.toMatchObject({ code: 'CATEGORY_NOT_FOUND' });
  });
});

describe('admin endpoints', () => {
  it('require an admin: 401 anonymous, 403 citizen and other staff', async () => {
    for (const pathname of ['/admin/catalogue', '/admin/departments', '/admin/areas', '/admin/calendar']) {
      expect((await fetch(`${api.url}${pathname}`)).status).toBe(401);
      expect((await put(pathname, [], null)).status).toBe(401);
      expect((await put(pathname, [], citizenToken)).status).toBe(403);
      expect((await put(pathname, [], dispatcherToken)).status).toBe(403);
      const res = await fetch(`${api.url}${pathname}`, { headers: { authorization: `Bearer ${dispatcherToken}` } });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('FORBIDDEN');
    }
  });

  it('gives every staff role the grid boundaries for the console map (GET /staff/areas), citizens none', async () => {
    const admin = await fetch(`${api.url}/admin/areas`, { headers: { authorization: `Bearer ${adminToken}` } });
    const staff = await fetch(`${api.url}/staff/areas`, { headers: { authorization: `Bearer ${dispatcherToken}` } });
    expect(staff.status).toBe(200);
    const boundaries = gridBoundariesSchema.parse(await staff.json());
    expect(boundaries.features.length).toBeGreaterThan(0);
    const { version, ...adminFile } = (await admin.json()) as { version: number };
    expect(version).toBeGreaterThan(0);
    expect(boundaries).toEqual(adminFile);
    expect((await fetch(`${api.url}/staff/areas`, { headers: { authorization: `Bearer ${citizenToken}` } })).status).toBe(403);
    expect((await fetch(`${api.url}/staff/areas`)).status).toBe(401);
  });

  it('gives every staff role the working calendar (GET /staff/calendar), the one deadlines use', async () => {
    const res = await fetch(`${api.url}/staff/calendar`, { headers: { authorization: `Bearer ${dispatcherToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ calendar: await api.services.catalogue.getCalendar() });
    expect((await fetch(`${api.url}/staff/calendar`, { headers: { authorization: `Bearer ${citizenToken}` } })).status).toBe(403);
  });

  it('reads the catalogue back in file order with routing fields', async () => {
    const res = await fetch(`${api.url}/admin/catalogue`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { categories: Category[] }).categories).toEqual(demoCategories());
  });

  it('refuses a catalogue with a dangling department and keeps serving the old one', async () => {
    const broken = demoCategories();
    broken[2] = { ...broken[2]!, defaultDepartmentId: 'dept-nobody' };
    broken[5] = { ...broken[5]!, timeLimit: { value: 0, unit: 'work_hours' } };
    const res = await put('/admin/catalogue', broken);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe('CITY_DATA_INVALID');
    expect(error.details?.map((d) => d.field)).toEqual(['categories[5].timeLimit.value']);

    const dangling = demoCategories();
    dangling[2] = { ...dangling[2]!, defaultDepartmentId: 'dept-nobody' };
    const res2 = await put('/admin/catalogue', dangling);
    expect(res2.status).toBe(400);
    expect((await errorOf(res2)).details).toEqual([{ field: 'categories[2].defaultDepartmentId', issue: '部门 dept-nobody 不存在' }]);

    expect((await getCategories()).categories).toHaveLength(demoCategories().length);
    expect((await api.services.catalogue.getCategory('C0103')).defaultDepartmentId).toBe('dept-municipal');
  });

  it('refuses shape errors with field paths: duplicate ids, wrong id for the code, not an array', async () => {
    const categories = demoCategories();
    const res = await put('/admin/catalogue', [...categories.slice(0, 3), categories[0], { ...categories[4]!, id: 'E0111' }]);
    expect(res.status).toBe(400);
    const fields = (await errorOf(res)).details?.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['categories[3].id', 'categories[4].id']));
    const notArray = await put('/admin/catalogue', { categories });
    expect(notArray.status).toBe(400);
    expect((await errorOf(notArray)).details?.[0]?.field).toBe('categories');
  });

  it('refuses removing a category a department still lists', async () => {
    const withoutStreetLights = demoCategories().filter((c) => c.id !== 'C0118');
    const res = await put('/admin/catalogue', withoutStreetLights);
    expect(res.status).toBe(400);
    const fields = (await errorOf(res)).details?.map((d) => d.field);
    const power = demoDepartments().findIndex((d) => d.id === 'dept-power');
    expect(fields).toContain(`departments[${power}].categories[0]`);
  });

  it('replaces the catalogue atomically and prunes old versions', async () => {
    const next = demoCategories().filter((c) => c.id !== 'C0110');
    next.push({ ...next.find((c) => c.id === 'C0103')!, id: 'C0199', code: '0199', name: '雨水口盖板', popularity: 1000 });
    const other = new CatalogueService(api.services.ctx, api.services.city);
    other.snapshots.checkIntervalMs = 0;
    expect((await other.allCategories()).length).toBe(demoCategories().length);

    const res = await put('/admin/catalogue', next);
    expect(res.status).toBe(200);
    const result = (await res.json()) as { version: number; count: number };
    expect(result.count).toBe(next.length);

    const listed = await getCategories();
    expect(listed.categories[0]!.id).toBe('C0199');
    expect(listed.categories.map((c) => c.id)).not.toContain('C0110');
    // Another process notices the new revision.
    expect((await other.listCategories({ q: '盖板' })).categories.map((c) => c.id)).toEqual(['C0199']);

    // Replace once more: only the active and the previous versions remain stored.
    expect((await put('/admin/catalogue', demoCategories())).status).toBe(200);
    const versions = await api.db.collection('city_categories').distinct('version');
    expect(versions).toHaveLength(2);
    expect(versions).toContain(result.version);
    expect((await getCategories()).categories).toHaveLength(demoCategories().length);
  });

  it('replaces departments, refusing dangling areas and categories', async () => {
    const departments = demoDepartments();
    const broken = departments.map((d, i) => (i === 11 ? { ...d, areaIds: ['QH9999'] } : i === 1 ? { ...d, categories: ['E0505', 'E7777'] } : d));
    const res = await put('/admin/departments', broken);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([
      { field: 'departments[1].categories[1]', issue: '类别 E7777 不存在' },
      { field: 'departments[11].areaIds[0]', issue: '区域 QH9999 不存在' },
    ]);
    const missingDefault = departments.filter((d) => d.id !== 'dept-gas');
    const res2 = await put('/admin/departments', missingDefault);
    expect(res2.status).toBe(400);
    expect((await errorOf(res2)).details?.map((d) => d.field)).toContain('categories[8].defaultDepartmentId');

    const renamed = departments.map((d) => (d.id === 'dept-gas' ? { ...d, name: '青禾县天然气公司' } : d));
    expect((await put('/admin/departments', renamed)).status).toBe(200);
    expect((await api.services.catalogue.getDepartment('dept-gas'))?.name).toBe('青禾县天然气公司');
    const admin = await fetch(`${api.url}/admin/departments`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(((await admin.json()) as { departments: Department[] }).departments).toEqual(renamed);
  });

  it('replaces the calendar, refusing overlapping hours and bad dates', async () => {
    const calendar = calendarSchema.parse(demoFile('calendar.json'));
    const res = await put('/admin/calendar', {
      ...calendar,
      workingHours: [
        { start: '08:30', end: '12:00' },
        { start: '11:00', end: '17:30' },
        { start: '18:00', end: '17:00' },
      ],
      holidays: ['2026-02-30', ...calendar.holidays],
      extraWorkdays: [...calendar.extraWorkdays, '2026-10-01'],
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.map((d) => d.field)).toEqual([
      'holidays[0]',
      'workingHours[1].start',
      'workingHours[2].end',
      `extraWorkdays[${calendar.extraWorkdays.length}]`,
    ]);
    expect((await api.services.catalogue.getCalendar()).workingHours).toHaveLength(2);

    const summer = {
      ...calendar,
      workingHours: [
        { start: '08:00', end: '12:00' },
        { start: '15:00', end: '18:00' },
      ],
    };
    const ok = await put('/admin/calendar', summer);
    expect(ok.status).toBe(200);
    const saved = (await ok.json()) as { calendar: unknown; version: number };
    expect(saved).toEqual({ calendar: summer, version: expect.any(Number) });
    const back = await fetch(`${api.url}/admin/calendar`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(await back.json()).toEqual({ calendar: summer, version: saved.version });
  });

  it('answers each part with its version, and refuses a replacement based on a version someone replaced since (409)', async () => {
    const get = async <T>(pathname: string): Promise<T & { version: number }> => {
      const res = await fetch(`${api.url}${pathname}`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as T & { version: number };
    };
    const { categories, version } = await get<{ categories: Category[] }>('/admin/catalogue');
    const departmentsBefore = await get<{ departments: Department[] }>('/admin/departments');
    const calendarBefore = await get<{ calendar: Record<string, unknown> }>('/admin/calendar');
    expect(version).toBeGreaterThan(0);

    // Two administrators read version `version`; the first saves, the second's save is refused.
    const first = await put(
      `/admin/catalogue?baseVersion=${version}`,
      categories.map((c, i) => (i === 0 ? { ...c, basePoints: c.basePoints + 1 } : c)),
    );
    expect(first.status).toBe(200);
    const { version: next } = (await first.json()) as { version: number };
    expect(next).toBeGreaterThan(version);
    expect((await get<object>('/admin/catalogue')).version).toBe(next);
    const second = await put(`/admin/catalogue?baseVersion=${version}`, categories);
    expect(second.status).toBe(409);
    const error = await errorOf(second);
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(`类别目录已被他人修改（您编辑的是第 ${version} 版，现在是第 ${next} 版），请重新加载后再修改`);
    expect((await get<{ categories: Category[] }>('/admin/catalogue')).categories[0]!.basePoints).toBe(categories[0]!.basePoints + 1);
    // Without baseVersion the last writer wins, as before.
    expect((await put('/admin/catalogue', categories)).status).toBe(200);

    // Each part has its own version: the catalogue's replacements left the departments' and the calendar's alone.
    expect((await get<object>('/admin/departments')).version).toBe(departmentsBefore.version);
    expect((await put(`/admin/departments?baseVersion=${departmentsBefore.version}`, departmentsBefore.departments)).status).toBe(200);
    expect((await get<object>('/admin/calendar')).version).toBe(calendarBefore.version);
    const calendarOk = await put(`/admin/calendar?baseVersion=${calendarBefore.version}`, calendarBefore.calendar);
    expect(calendarOk.status).toBe(200);
    const stale = await put(`/admin/calendar?baseVersion=${calendarBefore.version}`, calendarBefore.calendar);
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).message).toContain('工作日历已被他人修改');

    const areas = await get<{ features: unknown[] }>('/admin/areas');
    expect(areas.version).toBeGreaterThan(0);
    const { version: _v, ...file } = areas;
    expect((await put(`/admin/areas?baseVersion=${areas.version + 1}`, file)).status).toBe(409);
    expect((await put(`/admin/areas?baseVersion=${areas.version}`, file)).status).toBe(200);

    const bad = await put('/admin/catalogue?baseVersion=abc', categories);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).details?.[0]?.field).toBe('baseVersion');
  });
});
