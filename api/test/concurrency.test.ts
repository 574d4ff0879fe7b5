/**
 * Concurrency over real HTTP at the production pool size: every case fires 100 or more
 * requests at once, spread over 20 keep-alive TCP connections (four node:http Agents of
 * five sockets) to two API processes on the same database (the harness's app and a second
 * one with its own connection pool, as behind a load balancer), then checks in the
 * database what must hold whatever the interleaving. Each invariant is one a
 * read-then-write in place of the atomic update behind it would break: stock and quota
 * counters overshooting, lost ledger updates, two winners of one case version, a second
 * report for one intent, a message sent twice by two outbox workers.
 *
 * The local stand-in (mongo-java-server) has two races of its own that MongoDB has not, so
 * the suite avoids them outside what it tests: a collection created by two first uses at
 * once (hence the warm-up), and a findOneAndUpdate answering with a document a concurrent
 * update already changed, which can repeat a daily case number when reports are created at
 * once (hence reports made one at a time where they are only setup).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { LogCapture, startTestApi, TestClock, type TestApi } from './helpers/harness';
import { loginCitizen, loginWithWeChatCode, postJson, uploadPhotos, type TestCitizen } from './helpers/citizens';
import { demoCity } from './helpers/city';
import { staffLogin, type TestStaff } from './helpers/staff';
import { sleep } from './helpers/faults';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat-server';
import { buildApp } from '../src/app';
import { connectDatabase } from '../src/db';
import { createApiServer } from '../src/core/http-server';
import { createLogger } from '../src/core/logger';
import { createServices, type Services } from '../src/services';
import { getCaseModel, type CaseDoc } from '../src/cases/models';
import { getClaimModel, getLedgerModel, getRewardModel, type LedgerEntry } from '../src/points/models';

jest.setTimeout(60_000);

/** The daily report limit of this API: small, so 100 submissions meet it at once. */
const PER_DAY = 5;
// Monday 2026-11-23 10:00 in Beijing.
const clock = new TestClock(new Date('2026-11-23T02:00:00Z'));

let api: TestApi;
let second: SecondProcess;
let wechat: FakeWeChat;
let city: Awaited<ReturnType<typeof demoCity>>;
let admin: TestStaff;

interface SecondProcess {
  url: string;
  services: Services;
  db: Connection;
  logs: LogCapture;
  close(): Promise<void>;
}

/** Another API process on the harness's database: same config and clock, its own pool, services and port. */
async function startSecondProcess(): Promise<SecondProcess> {
  const { config } = api;
  const db = await connectDatabase({
    mongodbUri: config.mongodbUri,
    mongodbServerSelectionTimeoutMs: 5000,
    mongodbMaxPoolSize: config.mongodbMaxPoolSize,
  });
  const logs = new LogCapture();
  const logger = createLogger(config.logLevel, logs);
  const services = createServices({ config, db, logger, clock });
  const server = createApiServer(buildApp({ config, db, logger, version: 'test', services }), logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    services,
    db,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

beforeAll(async () => {
  wechat = await startFakeWeChat();
  api = await startTestApi({
    clock,
    env: { DEV_LOGIN_ENABLED: 'true', REPORTS_PER_DAY: String(PER_DAY), ...wechat.env, WECHAT_TEMPLATE_CASE_STATUS: 'tmpl-case-status' },
  });
  city = await demoCity(api);
  admin = await staffLogin(api, 'admin');
  second = await startSecondProcess();
  const operator = await staffLogin(api, 'operator');
  await putReward('conc-warmup', { stock: 10, costPoints: 10 });
  await warmUp(api, operator);
  await warmUp(second, operator);
});

/**
 * Goes once, one request at a time, through every path the bursts take (sign-in, upload,
 * report, filing with its effects, points, a claim, a notification), then waits for the
 * indexes of every model of the process. The local stand-in (mongo-java-server) creates a
 * collection on first use without a lock: two first uses at once can fail ("already
 * existed in system.namespaces") or leave a document in a collection object that is then
 * replaced. MongoDB has no such race; these cases are about the API's own atomicity.
 */
async function warmUp(proc: { url: string; services: Services; db: Connection }, operator: TestStaff): Promise<void> {
  const via = { url: proc.url } as TestApi;
  const expectStatus = (res: { status: number; body?: unknown }, status: number) => {
    if (res.status !== status) throw new Error(`warm-up: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const who = await loginCitizen(via, `warmup-${randomUUID().slice(0, 8)}`);
  expectStatus(await postJson(via, '/admin/points/adjustments', { citizenId: who.id, amount: 20, reason: '预热' }, admin.auth), 201);
  const photoIds = await uploadPhotos(via, who, 1);
  const submitted = await postJson(via, '/reports', reportBody(photoIds), who.auth);
  expectStatus(submitted, 201);
  expectStatus(await postJson(via, `/staff/cases/${submitted.body.id}/actions`, { action: 'file', version: 1 }, operator.auth), 200);
  expectStatus(await postJson(via, '/rewards/conc-warmup/claims', {}, who.auth), 201);
  expectStatus(await postJson(via, '/auth/wechat', { code: wechat.newCode(`warmup-${randomUUID().slice(0, 8)}`) }), 200);
  await proc.services.relay.settled();
  await proc.services.notifications.outbox.processDue(100);
  await Promise.all(Object.values(proc.db.models).map((model) => model.init()));
}

afterAll(async () => {
  await second?.close();
  await api?.close();
  await wechat?.close();
});

// ------------------------------------------------------------------ the client

interface Reply {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/**
 * Requests over `agentsPerServer` keep-alive Agents of `socketsPerAgent` sockets each per
 * server, taken in turn: a burst runs over up to servers × agents × sockets TCP connections
 * at once. Counts the connections used and the most that carried a request at the same time.
 */
class Connections {
  private readonly agents: { base: string; agent: http.Agent }[];
  private turn = 0;
  private readonly ids = new WeakMap<Socket, number>();
  private readonly busy = new Set<Socket>();
  /** Distinct TCP connections that carried at least one request. */
  used = 0;
  /** The most connections carrying a request at the same moment. */
  maxBusy = 0;
  requests = 0;

  constructor(servers: string[], agentsPerServer = 2, socketsPerAgent = 5) {
    this.agents = Array.from({ length: agentsPerServer }, () =>
      servers.map((base) => ({ base, agent: new http.Agent({ keepAlive: true, maxSockets: socketsPerAgent }) })),
    ).flat();
  }

  get limit(): number {
    return this.agents.length * (this.agents[0]!.agent.maxSockets as number);
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const { base, agent } = this.agents[this.turn++ % this.agents.length]!;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    this.requests += 1;
    return new Promise<Reply>((resolve, reject) => {
      let carrier: Socket | undefined;
      const req = http.request(
        new URL(path, base),
        {
          method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            if (carrier) this.busy.delete(carrier);
            const text = Buffer.concat(chunks).toString('utf8');
            const json = (res.headers['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : text;
            resolve({ status: res.statusCode ?? 0, body: json, headers: res.headers });
          });
        },
      );
      req.on('socket', (socket: Socket) => {
        carrier = socket;
        if (!this.ids.has(socket)) this.ids.set(socket, ++this.used);
        this.busy.add(socket);
        this.maxBusy = Math.max(this.maxBusy, this.busy.size);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  post(path: string, body: unknown, who?: { auth: { authorization: string } }): Promise<Reply> {
    return this.request('POST', path, body, who?.auth);
  }

  /** The burst really ran over many connections at once, not one after another on one. */
  expectSpread(minRequests = 100): void {
    expect(this.requests).toBeGreaterThanOrEqual(minRequests);
    expect(this.used).toBeGreaterThanOrEqual(Math.min(10, this.limit));
    expect(this.maxBusy).toBeGreaterThanOrEqual(Math.min(8, this.limit));
  }

  close(): void {
    for (const a of this.agents) a.agent.destroy();
  }
}

let conns: Connections;
beforeEach(() => {
  conns = new Connections([api.url, second.url], 2, 5);
});
afterEach(() => conns.close());

// ------------------------------------------------------------------ helpers

/** How many answers of each status (and error code): `{ '201': 10, '409 OUT_OF_STOCK': 110 }`. */
function outcomes(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const key = r.body?.error?.code ? `${r.status} ${r.body.error.code}` : String(r.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const countBy = <T>(items: T[], key: (t: T) => string | number) => {
  const out = new Map<string | number, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return out;
};

async function citizens(n: number, prefix: string): Promise<TestCitizen[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => loginCitizen(api, `${prefix}-${i}-${randomUUID().slice(0, 6)}`)));
}

async function grant(who: TestCitizen, amount: number): Promise<void> {
  const res = await postJson(api, '/admin/points/adjustments', { citizenId: who.id, amount, reason: '并发测试初始积分' }, admin.auth);
  expect(res.status).toBe(201);
}

async function putReward(id: string, fields: { stock: number; costPoints: number }): Promise<void> {
  const res = await fetch(`${api.url}/admin/rewards/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...admin.auth },
    body: JSON.stringify({
      name: '并发测试奖品',
      kind: 'gift',
      perCitizenLimit: null,
      limitPeriod: 'all',
      activeFrom: '2026-01-01T00:00:00+08:00',
      activeTo: '2027-01-01T00:00:00+08:00',
      ...fields,
    }),
  });
  expect(res.status).toBe(200);
}

function reportBody(photoIds: string[], clientRequestId: string = randomUUID()) {
  return { categoryId: city.publicCategory.id, description: '并发测试：井盖缺失', location: city.point, photoIds, clientRequestId };
}

/** Submits a report (setup, not under test); its id. */
async function report(who: TestCitizen, photoIds: string[]): Promise<string> {
  const res = await postJson(api, '/reports', reportBody(photoIds), who.auth);
  if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function balanceOf(id: string): Promise<number> {
  return await api.services.points.balanceOf(id);
}

/** No 5xx; if there is one, the failure shows what the API logged about it. */
function expectNoServerErrors(replies: Reply[]): void {
  const failed = replies.filter((r) => r.status >= 500);
  if (failed.length) {
    const errors = [...api.logs.lines, ...second.logs.lines].filter((l) => /"level":(50|60)/.test(l)).slice(-3);
    throw new Error(`${failed.length} answers were 5xx: ${JSON.stringify(failed[0]!.body)}\n${errors.join('\n')}`);
  }
}

async function expectLedgerConsistent(): Promise<void> {
  expect(await api.services.points.checkInvariants()).toEqual([]);
}

/** A citizen's applied lines in apply order: seq 1, 2, 3… and each balanceAfter the previous one plus its amount. */
async function expectUnbrokenChain(citizenId: string): Promise<LedgerEntry[]> {
  const lines = await getLedgerModel(api.db).find({ citizenId, state: 'applied' }).sort({ seq: 1 }).lean<LedgerEntry[]>();
  let balance = 0;
  lines.forEach((line, i) => {
    expect(line.seq).toBe(i + 1);
    balance += line.amount;
    expect(line.balanceAfter).toBe(balance);
    expect(line.balanceAfter).toBeGreaterThanOrEqual(0);
  });
  expect(await balanceOf(citizenId)).toBe(balance);
  return lines;
}

// ------------------------------------------------------------------ the cases

describe('under 100+ simultaneous requests over many connections', () => {
  it('lets exactly as many claims through as there is stock (10 of 120), never below zero, the ledger balanced', async () => {
    const REWARD = 'conc-medal';
    await putReward(REWARD, { stock: 10, costPoints: 10 });
    const claimants = await citizens(30, 'claim');
    // Enough points for every claim each sends: stock, not points, is what runs out.
    await Promise.all(claimants.map((c) => grant(c, 40)));

    const attempts = claimants.flatMap((c) => Array.from({ length: 4 }, () => ({ who: c, clientRequestId: randomUUID() })));
    const replies = await Promise.all(attempts.map((a) => conns.post(`/rewards/${REWARD}/claims`, { clientRequestId: a.clientRequestId }, a.who)));
    conns.expectSpread(120);
    expectNoServerErrors(replies);

    expect(outcomes(replies)).toEqual({ '201': 10, '409 OUT_OF_STOCK': 110 });
    const won = replies.filter((r) => r.status === 201);
    expect(new Set(won.map((r) => r.body.id)).size).toBe(10);

    const reward = (await getRewardModel(api.db).findById(REWARD).lean())!;
    expect(reward.stock).toBe(0);
    expect(reward.holds).toHaveLength(10);
    const claims = await getClaimModel(api.db).find({ rewardId: REWARD }).lean();
    // Most are turned away before a claim is stored (the stock they read was gone); the
    // others were rejected after losing the race for a unit, with what they took given back.
    expect(claims.filter((c) => c.status === 'pending').length).toBe(10);
    expect(claims.filter((c) => c.status !== 'pending').every((c) => c.status === 'rejected' && c.rejectCode === 'OUT_OF_STOCK' && c.settled)).toBe(
      true,
    );
    expect(reward.holds.sort()).toEqual(
      claims
        .filter((c) => c.status === 'pending')
        .map((c) => String(c._id))
        .sort(),
    );

    const winsBy = countBy(
      won.map((r) => claims.find((c) => String(c._id) === r.body.id)!),
      (c) => c.citizenId,
    );
    const balances = await Promise.all(claimants.map((c) => balanceOf(c.id)));
    claimants.forEach((c, i) => expect(balances[i]).toBe(40 - 10 * (winsBy.get(c.id) ?? 0)));
    expect(balances.every((b) => b >= 0)).toBe(true);
    expect(balances.reduce((a, b) => a + b, 0)).toBe(30 * 40 - 100);
    // Only the winners' spends were applied; nothing else moved.
    expect(await getLedgerModel(api.db).countDocuments({ claimId: { $in: claims.map((c) => String(c._id)) }, state: 'applied' })).toBe(10);
    await expectLedgerConsistent();
  });

  it(`holds the daily report quota (${PER_DAY}) against 120 simultaneous submissions of one citizen`, async () => {
    const [carol] = await citizens(1, 'quota');
    const photoIds = await uploadPhotos(api, carol!, 1);
    const replies = await Promise.all(Array.from({ length: 120 }, () => conns.post('/reports', reportBody(photoIds), carol)));
    conns.expectSpread(120);
    expectNoServerErrors(replies);

    expect(outcomes(replies)).toEqual({ '201': PER_DAY, '429 RATE_LIMITED': 120 - PER_DAY });
    const refused = replies.filter((r) => r.status !== 201);
    expect(refused.every((r) => Number(r.headers['retry-after']) > 0)).toBe(true);
    expect(await getCaseModel(api.db).countDocuments({ reporterId: carol!.id })).toBe(PER_DAY);
  });

  it('keeps one citizen’s balance and ledger exact under 100 adjustments, 5 capped awards and 5 claims at once', async () => {
    const REWARD = 'conc-pin';
    await putReward(REWARD, { stock: 100, costPoints: 10 });
    const [dora] = await citizens(1, 'points');
    const operator = await staffLogin(api, 'operator');
    await grant(dora!, 55); // enough for the five claims whatever order things happen in
    // Five reports of hers, filed during the burst: each pays the category points (15), but
    // the daily cap (60) lets only 60 of the 75 through, whichever filing comes first.
    const photoIds = await uploadPhotos(api, dora!, 1);
    const caseIds: string[] = [];
    for (let i = 0; i < 5; i += 1) caseIds.push(await report(dora!, photoIds));
    const rules = api.services.points.rules!;
    expect(city.publicCategory.basePoints * 5).toBeGreaterThan(rules.dailyCap!);

    const burst = [
      ...Array.from({ length: 100 }, () =>
        conns.post('/admin/points/adjustments', { citizenId: dora!.id, amount: 3, reason: '并发测试奖励', clientRequestId: randomUUID() }, admin),
      ),
      ...caseIds.map((id) => conns.post(`/staff/cases/${id}/actions`, { action: 'file', version: 1 }, operator)),
      ...Array.from({ length: 5 }, () => conns.post(`/rewards/${REWARD}/claims`, { clientRequestId: randomUUID() }, dora)),
    ];
    const replies = await Promise.all(burst);
    conns.expectSpread(110);
    expectNoServerErrors(replies);
    expect(outcomes(replies.slice(0, 100))).toEqual({ '201': 100 });
    expect(outcomes(replies.slice(100, 105))).toEqual({ '200': 5 });
    expect(outcomes(replies.slice(105))).toEqual({ '201': 5 });

    // Every filing's effects ran in its request; none is left for the background sweep.
    const cases = await getCaseModel(api.db)
      .find({ _id: { $in: caseIds } })
      .lean<CaseDoc[]>();
    expect(cases.map((c) => c.effects)).toEqual(Array(5).fill([]));

    const lines = await expectUnbrokenChain(dora!.id);
    const earned = lines.filter((l) => l.kind === 'earn');
    expect(earned).toHaveLength(5);
    expect(earned.reduce((a, l) => a + l.amount, 0)).toBe(rules.dailyCap);
    expect(earned.reduce((a, l) => a + l.capped, 0)).toBe(5 * city.publicCategory.basePoints - rules.dailyCap!);
    expect(lines.filter((l) => l.kind === 'adjustment')).toHaveLength(101);
    expect(lines.filter((l) => l.kind === 'spend')).toHaveLength(5);
    expect(await getLedgerModel(api.db).countDocuments({ citizenId: dora!.id, state: { $ne: 'applied' } })).toBe(0);
    expect(await balanceOf(dora!.id)).toBe(55 + 100 * 3 + rules.dailyCap! - 5 * 10);
    await expectLedgerConsistent();
  });

  it('lets exactly one of 30 staff actions on the same case version win, for 4 cases at once', async () => {
    const [erin] = await citizens(1, 'staff-race');
    const operators = await Promise.all(Array.from({ length: 6 }, () => staffLogin(api, 'operator')));
    const photoIds = await uploadPhotos(api, erin!, 1);
    const caseIds: string[] = [];
    for (let i = 0; i < 4; i += 1) caseIds.push(await report(erin!, photoIds));

    const burst = caseIds.flatMap((id) =>
      Array.from({ length: 30 }, (_, i) => ({
        id,
        req: conns.post(`/staff/cases/${id}/actions`, { action: 'file', version: 1 }, operators[i % operators.length]),
      })),
    );
    const replies = await Promise.all(burst.map(async (b) => ({ id: b.id, reply: await b.req })));
    conns.expectSpread(120);
    expectNoServerErrors(replies.map((r) => r.reply));

    for (const id of caseIds) {
      const mine = replies.filter((r) => r.id === id).map((r) => r.reply);
      expect(outcomes(mine)).toEqual({ '200': 1, '409 CONFLICT': 29 });
      expect(mine.find((r) => r.status === 200)!.body).toMatchObject({ id, state: 'filed', version: 2 });

      const doc = (await getCaseModel(api.db).findById(id).lean<CaseDoc>())!;
      expect(doc.version).toBe(2);
      expect(doc.events.map((e) => `${e.seq}:${e.action}`)).toEqual(['1:submit', '2:file']);
      expect(doc.effects).toEqual([]);
      // The filing's award was paid once.
      expect(await getLedgerModel(api.db).countDocuments({ caseId: id })).toBe(1);
    }
    await expectLedgerConsistent();
  });

  it('collapses 5 intents × 24 simultaneous copies into exactly one report each, every answer naming it', async () => {
    const [fay] = await citizens(1, 'intent');
    const photoIds = await uploadPhotos(api, fay!, 1);
    // As many intents as the daily quota allows: copies of one intent must not use up the quota.
    const intents = Array.from({ length: PER_DAY }, () => reportBody(photoIds, `intent-${randomUUID()}`));
    const burst = intents.flatMap((body) => Array.from({ length: 24 }, () => ({ body, req: conns.post('/reports', body, fay) })));
    const replies = await Promise.all(burst.map(async (b) => ({ key: b.body.clientRequestId, reply: await b.req })));
    conns.expectSpread(120);
    expectNoServerErrors(replies.map((r) => r.reply));

    const ids = new Set<string>();
    for (const { clientRequestId } of intents) {
      const mine = replies.filter((r) => r.key === clientRequestId).map((r) => r.reply);
      expect(outcomes(mine)).toEqual({ '200': 23, '201': 1 });
      const named = new Set(mine.map((r) => r.body.id as string));
      expect(named.size).toBe(1);
      ids.add([...named][0]!);
      expect(await getCaseModel(api.db).countDocuments({ reporterId: fay!.id, clientRequestId })).toBe(1);
    }
    expect(ids.size).toBe(PER_DAY);
    expect(await getCaseModel(api.db).countDocuments({ reporterId: fay!.id })).toBe(PER_DAY);
  });

  describe('two outbox workers (one in each process)', () => {
    it('deliver each of 120 notifications queued by 120 simultaneous filings exactly once', async () => {
      const outboxA = api.services.notifications.outbox;
      const outboxB = second.services.notifications.outbox;
      const operators = await Promise.all(Array.from({ length: 4 }, () => staffLogin(api, 'operator')));
      // 24 WeChat users with 5 reports each, submitted one at a time (this case is about the
      // outbox: the stand-in can repeat a case number when reports are created at once).
      const people = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const user = `outbox-${i}-${randomUUID().slice(0, 6)}`;
          const who = await loginWithWeChatCode(api, wechat.newCode(user));
          return { who, openid: wechat.openidOf(user), photoIds: await uploadPhotos(api, who, 1) };
        }),
      );
      const filings: { caseId: string; openid: string }[] = [];
      for (const p of people) for (let n = 0; n < 5; n += 1) filings.push({ caseId: await report(p.who, p.photoIds), openid: p.openid });
      // Their 待受理 messages (queued by effects that run after each answer) and whatever earlier cases queued are out of the way first.
      await api.services.relay.settled();
      while ((await outboxA.processDue(100)) > 0);
      wechat.reset();
      // Each person accepted the subscribe popup at each of their five reports.
      for (const p of people) {
        wechat.acceptSubscription(p.openid, Array(5).fill('tmpl-case-status'));
        for (let n = 0; n < 5; n += 1) await api.services.notifications.quotas.record(p.who.id, { results: { 'tmpl-case-status': 'accept' } });
      }

      // Both processes drain while the filings come in, each with three passes at a time.
      let filing = true;
      const deadline = Date.now() + 40_000;
      const attempted = { A: 0, B: 0 };
      const drain = async (name: 'A' | 'B') => {
        const outbox = name === 'A' ? outboxA : outboxB;
        for (;;) {
          const n = await outbox.processDue(5);
          attempted[name] += n;
          if (n > 0) continue;
          if (!filing && (await outbox.model.countDocuments({ status: 'pending' })) === 0) return;
          if (Date.now() > deadline) throw new Error('outbox did not drain in time');
          await sleep(20);
        }
      };
      const workers = [...Array.from({ length: 3 }, () => drain('A')), ...Array.from({ length: 3 }, () => drain('B'))];
      let replies: Reply[];
      try {
        replies = await Promise.all(
          filings.map((f, i) => conns.post(`/staff/cases/${f.caseId}/actions`, { action: 'file', version: 1 }, operators[i % operators.length])),
        );
      } finally {
        filing = false;
        await Promise.allSettled(workers);
      }
      await Promise.all(workers); // a worker's own failure
      conns.expectSpread(120);
      expectNoServerErrors(replies);
      expect(outcomes(replies)).toEqual({ '200': 120 });

      const pages = filings.map((f) => `pages/report-detail/index?id=${f.caseId}`);
      // Each message claimed once by one of the workers, sent once, received once.
      expect(attempted.A + attempted.B).toBe(120);
      expect(attempted.A).toBeGreaterThan(0);
      expect(attempted.B).toBeGreaterThan(0);
      expect(wechat.sendAttempts.length).toBe(120);
      expect(wechat.messages.length).toBe(120);
      expect([...countBy(wechat.messages, (m) => m.page ?? '').entries()].sort()).toEqual(pages.map((p) => [p, 1]).sort());
      expect(wechat.messages.every((m) => m.data.phrase3?.value === '已立案')).toBe(true);
      for (const p of people) expect(wechat.messages.filter((m) => m.touser === p.openid).length).toBe(5);
      const stored = await outboxA.model.find({ 'payload.page': { $in: pages }, 'payload.data.phrase3.value': '已立案' }).lean();
      expect(stored.length).toBe(120);
      expect(stored.every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
    });
  });
});
