import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from './helpers/harness';
import { loginCitizen, postJson, uploadPhotos } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { getCaseModel, type CaseDoc } from '../src/cases/models';
import { GATHER_MS, MAX_IN_BACKGROUND } from '../src/cases/effects';

/** The relay's promises to subscribers (api/src/cases/effects.ts), on the real database. */
let api: TestApi;
let city: Awaited<ReturnType<typeof demoCity>>;

beforeAll(async () => {
  api = await startTestApi({ env: { DEV_LOGIN_ENABLED: 'true' } });
  city = await demoCity(api);
});
afterAll(async () => {
  await api.close();
});

/** A report submitted by a new citizen, answered 201; returns its id as soon as it is answered. */
async function submitReport(user: string): Promise<string> {
  const citizen = await loginCitizen(api, user);
  const photoIds = await uploadPhotos(api, citizen, 1);
  const res = await postJson(
    api,
    '/reports',
    { categoryId: city.publicCategory.id, description: '路灯不亮', location: city.point, photoIds, clientRequestId: randomUUID() },
    citizen.auth,
  );
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newReport(user: string): Promise<string> {
  const id = await submitReport(user);
  // A new report's effects run after the answer: the tests below start from a settled case.
  await api.services.relay.settled();
  return id;
}

describe('case effects', () => {
  it('refuses a second handler for the same effect type', () => {
    expect(() => api.services.relay.on('stats', async () => undefined)).toThrow(/already registered/);
  });

  it('never shows a subscriber event n+1 before n, even when a handler transitions the case itself', async () => {
    const log: string[] = [];
    const wf = api.services.workflow;
    // A subscriber that, like forwarding, moves the case on from inside its handler.
    api.services.relay.on('probe-nested', async (event) => {
      log.push(`start ${event.seq} ${event.action}`);
      if (event.action === 'file') await wf.transition(event.caseId, { action: 'dispatch', actor: { role: 'dispatcher', id: null } });
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`end ${event.seq} ${event.action}`);
    });
    const id = await newReport('effects-order');
    log.length = 0;
    await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null }, set: { departmentId: city.departmentIds[0] } });
    expect(log).toEqual(['start 2 file', 'end 2 file', 'start 3 dispatch', 'end 3 dispatch']);
    // Every effect ran and left the case.
    expect((await getCaseModel(api.db).findById(id).lean())!.effects).toEqual([]);
    expect((await wf.get(id)).state).toBe('dispatched');
  });

  it('drains two requests on one case one after the other, each subscriber in event order', async () => {
    const seen: number[] = [];
    api.services.relay.on('probe-order', async (event) => {
      seen.push(event.seq);
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
    const id = await newReport('effects-concurrent');
    const wf = api.services.workflow;
    await wf.transition(id, { action: 'file', actor: { role: 'operator', id: null }, set: { departmentId: city.departmentIds[0] } });
    seen.length = 0;
    const backers = await Promise.all(['b1', 'b2', 'b3', 'b4'].map((u) => loginCitizen(api, `effects-${u}`)));
    await Promise.all(backers.map((b) => wf.support(id, b.id, { role: 'citizen', id: b.id })));
    const sorted = [...seen].sort((a, b) => a - b);
    expect(seen).toEqual([...new Set(sorted)]);
    expect(seen).toHaveLength(4);
  });

  it('answers a new report before its effects run, and runs them after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let blocking = true;
    const handled: string[] = [];
    api.services.relay.on('probe-later', async (event) => {
      if (blocking && event.action === 'submit') await gate;
      handled.push(`${event.caseId} ${event.action}`);
    });
    // Answered (201) while a subscriber still holds the case's first effect.
    const id = await submitReport('effects-later');
    expect(handled).toEqual([]);
    expect((await getCaseModel(api.db).findById(id).lean())!.effects).toContain(`${id}:1:probe-later`);
    blocking = false;
    release();
    await api.services.relay.settled();
    expect(handled).toEqual([`${id} submit`]);
    expect((await getCaseModel(api.db).findById(id).lean())!.effects).toEqual([]);
  });

  it(`starts the effects of reports that come within ${GATHER_MS} ms together, after the answers`, async () => {
    const ids = [await newReport('effects-gather-1'), await newReport('effects-gather-2'), await newReport('effects-gather-3')];
    const stored = await Promise.all(ids.map(async (id) => (await getCaseModel(api.db).findById(id).lean<CaseDoc>())!));
    const started = new Map<string, number>();
    api.services.relay.on('probe-gather', async (event) => {
      started.set(event.caseId, performance.now());
    });
    const withProbe = (doc: CaseDoc) => ({ ...doc, effects: [`${String(doc._id)}:1:probe-gather`] });
    const t0 = performance.now();
    await api.services.relay.drainLater(withProbe(stored[0]!));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await api.services.relay.drainLater(withProbe(stored[1]!));
    expect(started.size).toBe(0); // nothing ran yet: the callers were answered first
    await new Promise((resolve) => setTimeout(resolve, GATHER_MS * 2));
    // After the gathering started: this one waits for the next.
    const t2 = performance.now();
    await api.services.relay.drainLater(withProbe(stored[2]!));
    await api.services.relay.settled();
    const [a, b, c] = ids.map((id) => started.get(id)!);
    expect(a).toBeGreaterThanOrEqual(t0 + GATHER_MS - 1);
    expect(Math.abs(b! - a!)).toBeLessThan(2); // one tick: their handlers' writes are grouped
    expect(c).toBeGreaterThanOrEqual(t2 + GATHER_MS - 1);
  });

  it('makes a transition on the case during the window wait for the gathered drain, so no effect runs twice', async () => {
    const id = await newReport('effects-gather-wait');
    const stored = (await getCaseModel(api.db).findById(id).lean<CaseDoc>())!;
    const runs: string[] = [];
    api.services.relay.on('probe-gather-wait', async (event) => {
      runs.push(event.caseId);
    });
    const withProbe = { ...stored, effects: [`${id}:1:probe-gather-wait`] };
    void api.services.relay.drainLater(withProbe);
    // As a staff transition right after the answer would: it waits, then reads the case afresh.
    await api.services.relay.drainCase(withProbe);
    expect(runs).toEqual([id]);
    await api.services.relay.settled();
    expect(runs).toEqual([id]);
  });

  it(`keeps at most ${MAX_IN_BACKGROUND} cases' effects in the background; beyond that the caller waits for its own`, async () => {
    const id = await newReport('effects-cap');
    const stored = (await getCaseModel(api.db).findById(id).lean<CaseDoc>())!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    api.services.relay.on('probe-cap', async () => gate);
    // One case drains one round at a time, so every call after the first waits behind the blocked one.
    const withProbe = { ...stored, effects: [`${id}:1:probe-cap`] };
    const returned: number[] = [];
    const calls = Array.from({ length: MAX_IN_BACKGROUND + 1 }, (_, i) => api.services.relay.drainLater(withProbe).then(() => returned.push(i)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(returned).toHaveLength(MAX_IN_BACKGROUND);
    expect(returned).not.toContain(MAX_IN_BACKGROUND);
    release();
    await Promise.all(calls);
    await api.services.relay.settled();
    expect(returned).toHaveLength(MAX_IN_BACKGROUND + 1);
  });
});
