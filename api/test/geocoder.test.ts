import { startTestApi, type TestApi } from './helpers/harness';
import { getJson, loginCitizen } from './helpers/citizens';
import { startFakeGeocoder } from './fakes/geocoder-server';

let geocoder: Awaited<ReturnType<typeof startFakeGeocoder>>;
let api: TestApi;
let bare: TestApi;

beforeAll(async () => {
  geocoder = await startFakeGeocoder('tencent-key-123');
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true', GEOCODER_URL: geocoder.url, GEOCODER_KEY: 'tencent-key-123' } });
  bare = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true' } });
});
afterAll(async () => {
  await api.close();
  await bare.close();
  await geocoder.close();
});

describe('reverse geocoding', () => {
  it('fills the address from the provider for a signed-in citizen', async () => {
    const who = await loginCitizen(api, 'geo-alice');
    const res = await getJson(api, '/geo/reverse?lat=29.37&lng=113.09', who.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ address: '岳阳楼区洞庭南路(岳阳楼东)' });
    expect(geocoder.calls.at(-1)).toEqual({ location: '29.37,113.09', key: 'tencent-key-123' });
  });

  it('answers null without a provider, so the field stays for the citizen to type', async () => {
    const who = await loginCitizen(bare, 'geo-bob');
    expect((await getJson(bare, '/geo/reverse?lat=29.37&lng=113.09', who.auth)).body).toEqual({ address: null });
  });

  it('says the service is unavailable when the provider refuses, and checks its input', async () => {
    const who = await loginCitizen(api, 'geo-carol');
    geocoder.setOverQuota(true);
    const refused = await getJson(api, '/geo/reverse?lat=29.37&lng=113.09', who.auth);
    geocoder.setOverQuota(false);
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toContain('手动填写');
    const bad = await getJson(api, '/geo/reverse?lat=999&lng=113.09', who.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('lat');
    expect((await fetch(`${api.url}/geo/reverse?lat=29.37&lng=113.09`)).status).toBe(401);
  });
});
