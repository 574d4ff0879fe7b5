import { randomUUID } from 'node:crypto';
import { open311CreatedSchema, open311ErrorSchema, open311RequestSchema, open311ServiceDefinitionSchema, open311ServiceSchema } from '@ssp/shared';
import { startTestApi, type TestApi } from './helpers/harness';
import { loginCitizen, postJson, uploadPhotos } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { getCaseModel } from '../src/cases/models';

const API_KEY = 'partner-key-0123456789abcdef';
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', OPEN311_API_KEYS: `partner:${API_KEY}` } });
  city = await demoCity(api);
});
afterAll(async () => {
  await api.close();
});

const base = () => `${api.url}/open311/v2`;

/**
 * The published GCJ-02 obfuscation formula (Krasovsky 1940 ellipsoid), written out here
 * independently of the library the API uses, as the reference for the datum tests.
 */
function referenceGcj02(p: { lat: number; lng: number }): { lat: number; lng: number } {
  const a = 6378245.0;
  const ee = 0.006693421622965943;
  const x = p.lng - 105.0;
  const y = p.lat - 35.0;
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  dLat += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  dLat += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  let dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLng += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  dLng += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  dLng += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  const radLat = (p.lat / 180.0) * Math.PI;
  const magic = 1 - ee * Math.sin(radLat) * Math.sin(radLat);
  const sqrtMagic = Math.sqrt(magic);
  return {
    lat: p.lat + (dLat * 180.0) / (((a * (1 - ee)) / (magic * sqrtMagic)) * Math.PI),
    lng: p.lng + (dLng * 180.0) / ((a / sqrtMagic) * Math.cos(radLat) * Math.PI),
  };
}

/** Distance in metres between two nearby points (equirectangular; exact enough below a kilometre). */
function metres(p: { lat: number; lng: number }, q: { lat: number; lng: number }): number {
  const r = 6371008.8;
  const dy = ((q.lat - p.lat) * Math.PI) / 180;
  const dx = (((q.lng - p.lng) * Math.PI) / 180) * Math.cos((((p.lat + q.lat) / 2) * Math.PI) / 180);
  return r * Math.hypot(dx, dy);
}

async function form(path: string, params: Record<string, string>) {
  return fetch(`${base()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

/** Reads the direct children of the first <tag> element: enough to check field names and values. */
function xmlChildren(xml: string, tag: string): Record<string, string> {
  const inner = new RegExp(`<${tag}>(.*?)</${tag}>`, 's').exec(xml)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/<([a-z_]+)(?:\/>|>(.*?)<\/\1>)/gs)) out[m[1]!] = m[2] ?? '';
  return out;
}

describe('Open311 GeoReport v2', () => {
  it('serves discovery in JSON and XML', async () => {
    const json = await fetch(`${base()}/discovery.json`);
    expect(json.headers.get('content-type')).toContain('application/json');
    const body = (await json.json()) as { endpoints: { specification: string; url: string; formats: string[] }[] };
    expect(body.endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', formats: ['application/json', 'text/xml'] });
    expect(body.endpoints[0]!.url).toMatch(/\/open311\/v2$/);
    const xml = await (await fetch(`${base()}/discovery.xml`)).text();
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>');
    expect(xml).toContain('<formats><format>application/json</format><format>text/xml</format></formats>');
  });

  it('lists public categories as services, field by field, in JSON and XML', async () => {
    const res = await fetch(`${base()}/services.json`);
    const services = ((await res.json()) as unknown[]).map((s) => open311ServiceSchema.parse(s));
    const all = await api.services.catalogue.allCategories();
    expect(services).toHaveLength(all.filter((c) => c.publicReportable).length);
    expect(services.map((s) => s.service_code)).not.toContain(city.internalCategory.id);
    const one = services.find((s) => s.service_code === city.publicCategory.id)!;
    expect(one).toMatchObject({ service_name: city.publicCategory.name, metadata: false, type: 'realtime', group: city.publicCategory.majorName });
    expect(Object.keys(one).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);

    const xml = await (await fetch(`${base()}/services.xml`)).text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<services><service>/);
    const first = xmlChildren(xml, 'service');
    expect(Object.keys(first).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
    expect(first.metadata).toBe('false');

    const def = open311ServiceDefinitionSchema.parse(await (await fetch(`${base()}/services/${city.publicCategory.id}.json`)).json());
    expect(def).toEqual({ service_code: city.publicCategory.id, attributes: [] });
    const missing = await fetch(`${base()}/services/NOPE.json`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as unknown[]).map((e) => open311ErrorSchema.parse(e))[0]!.code).toBe(404);
  });

  it('creates a request with an API key; it enters the same flow and is public only once filed', async () => {
    const res = await form('/requests.json', {
      api_key: API_KEY,
      service_code: city.publicCategory.id,
      lat: String(city.point.lat),
      long: String(city.point.lng),
      description: '路灯不亮，联系电话 13812345678',
      first_name: '张',
      phone: '13812345678',
    });
    expect(res.status).toBe(201);
    const [created] = ((await res.json()) as unknown[]).map((c) => open311CreatedSchema.parse(c));
    const caseDoc = await getCaseModel(api.db).findOne({ caseNo: created!.service_request_id }).lean();
    expect(caseDoc).toMatchObject({ source: 'open311', state: 'pending', reporterId: null, open311Client: 'partner' });
    expect(JSON.stringify(caseDoc)).not.toContain('张');

    // Not yet accepted: hidden from the public, visible to the client that sent it.
    expect((await fetch(`${base()}/requests/${created!.service_request_id}.json`)).status).toBe(404);
    const own = await fetch(`${base()}/requests/${created!.service_request_id}.json?api_key=${API_KEY}`);
    expect(own.status).toBe(200);

    await api.services.workflow.transition(String(caseDoc!._id), {
      action: 'file',
      actor: { role: 'operator', id: null },
      set: { departmentId: city.departmentIds[0] },
    });
    const pub = await fetch(`${base()}/requests/${created!.service_request_id}.json`);
    const [request] = ((await pub.json()) as unknown[]).map((r) => open311RequestSchema.parse(r));
    expect(request).toMatchObject({ status: 'open', status_notes: '已立案', service_code: city.publicCategory.id, media_url: null });
    expect(request!.description).toBe('路灯不亮，联系电话 138****5678');
    expect(request!.lat).toBe(Math.round(city.point.lat * 1000) / 1000);
    expect(request!.agency_responsible).toBeTruthy();
  });

  it('publishes citizen reports anonymised and maps status to open/closed', async () => {
    const citizen = await loginCitizen(api, 'o311-citizen', '不该出现的昵称');
    const photoIds = await uploadPhotos(api, citizen, 1);
    const created = await postJson(
      api,
      '/reports',
      {
        categoryId: city.publicCategory.id,
        description: '井盖缺失',
        location: city.point,
        address: '幸福小区 3 栋 2 单元门口',
        photoIds,
        clientRequestId: randomUUID(),
      },
      citizen.auth,
    );
    await api.services.relay.settled(); // the new report's effects run after the answer
    const id = created.body.id as string;
    const caseNo = created.body.caseNo as string;
    const wf = api.services.workflow;
    await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null } });
    await wf.transition(id, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
    await wf.transition(id, { action: 'report_handled', actor: { role: 'department', id: null } });
    await wf.transition(id, { action: 'verify_pass', actor: { role: 'supervisor', id: null } });

    const list = await fetch(`${base()}/requests.json?service_request_id=${caseNo}`);
    const [req] = ((await list.json()) as unknown[]).map((r) => open311RequestSchema.parse(r));
    expect(req).toMatchObject({ service_request_id: caseNo, status: 'closed', status_notes: '已结案' });
    const text = JSON.stringify(req);
    for (const secret of [citizen.id, '不该出现的昵称', '幸福小区', id, String(city.point.lat), String(city.point.lng)]) {
      expect(text).not.toContain(secret);
    }
    expect(req!.address).toContain(' ');

    const closed = (await (await fetch(`${base()}/requests.json?status=closed`)).json()) as { status: string }[];
    expect(closed.length).toBeGreaterThan(0);
    expect(closed.every((r) => r.status === 'closed')).toBe(true);
    const open = (await (await fetch(`${base()}/requests.json?status=open`)).json()) as { status: string; service_request_id: string }[];
    expect(open.every((r) => r.status === 'open')).toBe(true);
    expect(open.map((r) => r.service_request_id)).not.toContain(caseNo);

    const byCode = (await (await fetch(`${base()}/requests.json?service_code=${city.otherCategory.id}`)).json()) as unknown[];
    expect(byCode.map((r) => (r as { service_request_id: string }).service_request_id)).not.toContain(caseNo);
    const outsideWindow = (await (await fetch(`${base()}/requests.json?end_date=2020-01-01T00:00:00Z`)).json()) as unknown[];
    expect(outsideWindow).toEqual([]);

    const xml = await (await fetch(`${base()}/requests/${caseNo}.xml`)).text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<service_requests><request>/);
    const fields = xmlChildren(xml, 'request');
    expect(Object.keys(fields).sort()).toEqual(
      [
        'address',
        'address_id',
        'agency_responsible',
        'description',
        'expected_datetime',
        'lat',
        'long',
        'media_url',
        'requested_datetime',
        'service_code',
        'service_name',
        'service_notice',
        'service_request_id',
        'status',
        'status_notes',
        'updated_datetime',
        'zipcode',
      ].sort(),
    );
    expect(fields.status).toBe('closed');
  });

  it('speaks WGS-84: a point posted by a client round-trips within 5 m, stored as GCJ-02 for the rest of the product', async () => {
    // The WGS-84 position whose GCJ-02 image is the demo's central point (inverted by iteration of the reference formula).
    let wgs = { ...city.point };
    for (let i = 0; i < 10; i++) {
      const image = referenceGcj02(wgs);
      wgs = { lat: wgs.lat + city.point.lat - image.lat, lng: wgs.lng + city.point.lng - image.lng };
    }
    const res = await form('/requests.json', {
      api_key: API_KEY,
      service_code: city.publicCategory.id,
      lat: wgs.lat.toFixed(7),
      long: wgs.lng.toFixed(7),
      description: '坐标系往返',
    });
    expect(res.status).toBe(201);
    const [created] = ((await res.json()) as unknown[]).map((c) => open311CreatedSchema.parse(c));
    const stored = (await getCaseModel(api.db).findOne({ caseNo: created!.service_request_id }).lean())!.location;
    // Stored in GCJ-02: where the reference formula puts the posted point, hundreds of metres from the WGS-84 numbers.
    expect(metres(stored, referenceGcj02(wgs))).toBeLessThan(1);
    expect(metres(stored, wgs)).toBeGreaterThan(200);

    const own = await fetch(`${base()}/requests/${created!.service_request_id}.json?api_key=${API_KEY}`);
    const [mine] = ((await own.json()) as unknown[]).map((r) => open311RequestSchema.parse(r));
    expect(metres({ lat: mine!.lat!, lng: mine!.long! }, wgs)).toBeLessThan(5);
    const ownXml = xmlChildren(await (await fetch(`${base()}/requests/${created!.service_request_id}.xml?api_key=${API_KEY}`)).text(), 'request');
    expect(metres({ lat: Number(ownXml.lat), lng: Number(ownXml.long) }, wgs)).toBeLessThan(5);

    // Once public, everyone gets WGS-84 too, rounded to about 100 m.
    await api.services.workflow.transition(String((await getCaseModel(api.db).findOne({ caseNo: created!.service_request_id }).lean())!._id), {
      action: 'file',
      actor: { role: 'operator', id: null },
      set: { departmentId: city.departmentIds[0] },
    });
    const [pub] = ((await (await fetch(`${base()}/requests/${created!.service_request_id}.json`)).json()) as unknown[]).map((r) =>
      open311RequestSchema.parse(r),
    );
    expect(pub!.lat).toBe(Math.round(wgs.lat * 1000) / 1000);
    expect(pub!.long).toBe(Math.round(wgs.lng * 1000) / 1000);
  });

  it('answers errors in the specification format and codes, in JSON and XML', async () => {
    const noKey = await form('/requests.json', { service_code: city.publicCategory.id, lat: '28.7', long: '115.8' });
    expect(noKey.status).toBe(400);
    const badKey = await form('/requests.json', {
      api_key: 'wrong-key-000000000000',
      service_code: city.publicCategory.id,
      lat: String(city.point.lat),
      long: String(city.point.lng),
    });
    expect(badKey.status).toBe(403);
    expect(((await badKey.json()) as unknown[]).map((e) => open311ErrorSchema.parse(e))).toEqual([{ code: 403, description: 'Invalid api_key' }]);

    const badKeyXml = await form('/requests.xml', {
      api_key: 'wrong-key-000000000000',
      service_code: city.publicCategory.id,
      lat: String(city.point.lat),
      long: String(city.point.lng),
    });
    expect(badKeyXml.status).toBe(403);
    expect(badKeyXml.headers.get('content-type')).toContain('text/xml');
    expect(await badKeyXml.text()).toContain('<errors><error><code>403</code><description>Invalid api_key</description></error></errors>');

    const unknownService = await form('/requests.json', {
      api_key: API_KEY,
      service_code: 'E9999',
      lat: String(city.point.lat),
      long: String(city.point.lng),
    });
    expect(unknownService.status).toBe(404);
    const internal = await form('/requests.json', {
      api_key: API_KEY,
      service_code: city.internalCategory.id,
      lat: String(city.point.lat),
      long: String(city.point.lng),
    });
    expect(internal.status).toBe(404);
    const noLocation = await form('/requests.json', { api_key: API_KEY, service_code: city.publicCategory.id });
    expect(noLocation.status).toBe(400);
    const description = ((await noLocation.json()) as { description: string }[])[0]!.description;
    expect(description).toContain('lat');
    const outside = await form('/requests.json', { api_key: API_KEY, service_code: city.publicCategory.id, lat: '39.9', long: '116.4' });
    expect(outside.status).toBe(400);
    const badDate = await fetch(`${base()}/requests.json?start_date=yesterday`);
    expect(badDate.status).toBe(400);
    const badStatus = await fetch(`${base()}/requests.json?status=pending`);
    expect(badStatus.status).toBe(400);
    const unknownRequest = await fetch(`${base()}/requests/20990101-00001.xml`);
    expect(unknownRequest.status).toBe(404);
    expect(await unknownRequest.text()).toContain('<errors><error><code>404</code>');
    const badFormat = await fetch(`${base()}/services.yaml`);
    expect(badFormat.status).toBe(404);
    const wrongType = await fetch(`${base()}/requests.json`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(wrongType.status).toBe(415);
    expect(await getCaseModel(api.db).countDocuments({ source: 'open311', categoryId: { $in: ['E9999', city.internalCategory.id] } })).toBe(0);
  });
});
