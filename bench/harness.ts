/**
 * What the HTTP benches (load.ts, city.ts) share: the servers they measure, each in a child
 * process of its own (this file is the child's entry: `--serve api|koa`), autocannon runs with
 * exact percentiles, and small HTTP helpers for preparing data.
 *
 *   - the API: buildApp plus the background loops, as api/src/main.ts runs it, configured by
 *     the environment the bench passes (logs to a discarded stdout unless VERBOSE=1);
 *   - a bare Koa app answering a fixed small JSON body: the framework's ceiling here.
 */
import Module from 'node:module';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Connection } from 'mongoose';
import type { ApiClient } from '@ssp/shared';

// Run straight from the sources: point '@ssp/shared' at shared/src (its dist/ may be unbuilt).
// Importing this module first is enough for the benches that import it.
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = (request, ...rest) =>
  resolveFilename(request === '@ssp/shared' ? path.resolve(__dirname, '..', 'shared', 'src', 'index.ts') : request, ...rest);

export type LatLng = { lat: number; lng: number };

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** `--name value` as text, or undefined when absent. */
export function argText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** The body the bare Koa app answers: about the size of a small API answer. */
export const FIXED_BODY = { id: '6650f0c2a1b2c3d4e5f60718', status: 'processing', caseNo: 'C20260101-0001', items: [1, 2, 3], ok: true };

// ---------------------------------------------------------------- child processes (servers)

async function serve(kind: 'api' | 'koa'): Promise<void> {
  let server: http.Server;
  let close = async () => {};
  if (kind === 'koa') {
    const Koa = require('koa') as typeof import('koa');
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = FIXED_BODY;
    });
    server = http.createServer(app.callback());
  } else {
    const { buildApp } = require('../api/src/app') as typeof import('../api/src/app');
    const { createApiServer } = require('../api/src/core/http-server') as typeof import('../api/src/core/http-server');
    const { startWorkers } = require('../api/src/workers') as typeof import('../api/src/workers');
    const { systemClock } = require('../api/src/context') as typeof import('../api/src/context');
    const { version } = require('../api/package.json') as { version: string };
    const { loadConfig } = require('../api/src/config') as typeof import('../api/src/config');
    const { createLogger } = require('../api/src/core/logger') as typeof import('../api/src/core/logger');
    const { connectDatabase } = require('../api/src/db') as typeof import('../api/src/db');
    const { createServices } = require('../api/src/services') as typeof import('../api/src/services');

    // As api/src/main.ts: config from the environment, workers running.
    const config = loadConfig(process.env);
    const logger = createLogger(config.logLevel);
    const db = await connectDatabase(config);
    const services = createServices({ config, db, logger, clock: systemClock });
    const app = buildApp({ config, db, logger, version, services });
    const workers = startWorkers(services);
    server = createApiServer(app, logger);
    close = async () => {
      await workers.stop();
      await db.close().catch(() => undefined);
    };
  }
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await close();
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && void stop());
  // The parent went away (crash, Ctrl+C): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.send!({ port: (server.address() as AddressInfo).port });
}

export interface Server {
  url: string;
  stop(): Promise<void>;
}

export function startServer(kind: 'api' | 'koa', env: NodeJS.ProcessEnv): Promise<Server> {
  // process.execArgv carries tsx's loader flags, so the child runs this same file through tsx.
  const stdout = process.env.VERBOSE === '1' ? 'inherit' : 'ignore';
  // API_CPU_PROF=<dir>: the API child writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = kind === 'api' && process.env.API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.API_CPU_PROF)}`] : [];
  const child: ChildProcess = fork(__filename, ['--serve', kind], {
    env,
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...profile],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.connected) child.send('stop');
      else child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ url: `http://127.0.0.1:${m.port}`, stop }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with code ${code} before listening`)));
    children.push({ stop });
  });
}

const children: { stop(): Promise<void> }[] = [];

/** Stops every server started so far. */
export async function stopServers(): Promise<void> {
  for (const child of children.splice(0)) await child.stop().catch(() => undefined);
}

/** Set on Ctrl+C: the cleanup then breaks what main is doing, which need not be reported. */
export const run = { interrupted: false };

// ---------------------------------------------------------------- HTTP helpers (data preparation)

/** The API's typed client (shared/src/client.ts) for preparing data; load itself comes from autocannon. */
export function benchClient(base: string, token?: string): ApiClient {
  // Required here, not imported: an import would load '@ssp/shared' before the redirect above is in place.
  const { createApiClient, fetchTransport } = require('@ssp/shared') as typeof import('@ssp/shared');
  return createApiClient({ baseUrl: base, transport: fetchTransport(), getAccessToken: () => token, timeoutMs: 120_000, validateResponses: false });
}

/** A request by path through the client (benches build many routes from data). */
export async function call<T>(
  base: string,
  method: string,
  route: string,
  opts: { token?: string; json?: unknown; form?: FormData } = {},
): Promise<{ status: number; body: T }> {
  const res = await benchClient(base, opts.token).unchecked(method as 'GET', route, { body: opts.form ?? opts.json });
  return { status: res.status, body: res.body as T };
}

export async function expectStatus<T>(what: string, expected: number[], p: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await p;
  if (!expected.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A point `northM` metres north and `eastM` metres east of `p`. */
export function offset(p: LatLng, northM: number, eastM: number): LatLng {
  return { lat: p.lat + northM / 111_320, lng: p.lng + eastM / (111_320 * Math.cos((p.lat * Math.PI) / 180)) };
}
export const jitter = (m: number) => (Math.random() * 2 - 1) * m;
export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Runs `fn` over `items`, `width` at a time. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------- autocannon

export interface Scenario {
  name: string;
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  /** A fixed number of requests instead of the duration (for a route too slow to answer within it). */
  amount?: number;
  /** Fills in the per-request path, headers and body. */
  next?: () => { path: string; headers?: Record<string, string>; body?: string };
}

export interface Measured {
  name: string;
  route: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  codes: Record<string, number>;
  sample: string | null;
  cases?: number;
  /** Median of single requests one after the other before the run. */
  idle?: number;
}

/** More than 1 % of a run's requests failed (or none succeeded): its figures mean nothing. */
export const runFailed = (m: Measured): boolean => m.non2xx + m.errors > 0.01 * (m.ok + m.non2xx + m.errors) || m.ok === 0;

export function describeFailedRun(m: Measured): string {
  return `${m.name}: ${m.non2xx} non-2xx and ${m.errors} errors out of ${m.ok + m.non2xx + m.errors} (status codes ${JSON.stringify(m.codes)})${m.sample ? `; first non-2xx: ${m.sample}` : ''}`;
}

/** Reports the failed runs and sets a failing exit code. */
export function reportFailedRuns(failures: string[]): void {
  if (!failures.length) return;
  for (const failure of failures) process.stderr.write(`\n✖ ${failure}\n`);
  process.stderr.write('\n✖ more than 1 % of the requests failed in the scenarios above: their figures are meaningless\n');
  process.exitCode = 1;
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function cannon(
  s: Scenario,
  run: { seconds: number } | { amount: number },
  connections: number,
  timeout: number,
  measure: boolean,
): Promise<Measured> {
  const autocannon = require('autocannon') as typeof import('autocannon');
  const latencies: number[] = [];
  let sample: string | null = null;
  const options: import('autocannon').Options = {
    url: s.url,
    connections,
    pipelining: 1,
    ...('amount' in run ? { amount: run.amount } : { duration: run.seconds }),
    timeout,
    method: s.method ?? 'GET',
    requests: [
      {
        setupRequest: (req) => (s.next ? { ...req, ...s.next() } : req),
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && sample === null) sample = `${status} ${String(body).slice(0, 300)}`;
        },
      },
    ],
  };
  const started = performance.now();
  let lastResponseAt = started;
  const result = await new Promise<import('autocannon').Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)));
    // autocannon's own histogram keeps whole milliseconds; collect the exact times (2xx only, as it does).
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  // autocannon's duration is whole seconds, and a fixed number of requests ends on its one-second
  // tick: a run is timed from its start to its last response instead.
  const seconds = ('amount' in run ? lastResponseAt - started : performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count]));
  const ok = result['2xx'];
  if (measure)
    process.stderr.write(
      `  ${s.name}: ${(ok / seconds).toFixed(1)} req/s over ${seconds.toFixed(2)} s, codes ${JSON.stringify(codes)}, errors ${result.errors}\n`,
    );
  return {
    name: s.name,
    route: s.route,
    rps: ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    codes,
    sample,
  };
}

/**
 * `n` requests one after the other, nothing else running: the median is the cost of one
 * request; the first may include what a cold cache costs.
 */
export async function probe(s: Scenario, n: number): Promise<{ median: number; first: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = s.next?.() ?? { path: '' };
    const t = performance.now();
    const res = await fetch(`${s.url}${r.path}`, { method: s.method ?? 'GET', headers: r.headers, body: r.body });
    await res.arrayBuffer();
    times.push(performance.now() - t);
    if (res.status < 200 || res.status > 299) throw new Error(`${s.name}: HTTP ${res.status} before the run`);
  }
  return {
    median: percentile(
      [...times].sort((a, b) => a - b),
      50,
    ),
    first: times[0]!,
  };
}

/**
 * Waits until the API answers /readyz (a database ping) again: autocannon drops its
 * connections at the deadline, but the requests already sent still run on the API.
 */
export async function settle(apiUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${apiUrl}/readyz`).catch(() => null);
    await res?.arrayBuffer();
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not settle within 120 s after a run');
}

/**
 * Waits until the API's background loops have nothing left to do: cases that still owe
 * effects, due outbox messages (after seeding: the demo walk-through's notifications).
 */
export async function quiesce(db: Connection): Promise<void> {
  const t = Date.now();
  const owed = async () => {
    let n = await db.collection('cases').countDocuments({ 'effects.0': { $exists: true } });
    for (const name of ['notification_outbox', 'forwarding_outbox']) {
      n += await db.collection(name).countDocuments({ status: 'pending', nextAttemptAt: { $lte: new Date() } });
    }
    return n;
  };
  while ((await owed()) > 0) {
    if (Date.now() - t > 600_000) throw new Error("the API's background loops did not finish within 10 minutes");
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (Date.now() - t > 2000) process.stderr.write(`  (waited ${((Date.now() - t) / 1000).toFixed(0)} s for the background loops)\n`);
}

// ---------------------------------------------------------------- child entry

if (require.main === module) {
  const serveAt = process.argv.indexOf('--serve');
  serve(process.argv[serveAt + 1] as 'api' | 'koa').catch((err) => {
    process.stderr.write(`server failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
