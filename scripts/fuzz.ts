/**
 * Property-based fuzzing of every route with schemathesis (from PyPI), driven by the
 * API's own OpenAPI document, against the real API on a real database.
 *
 *   npx tsx scripts/fuzz.ts                       # short run (the test command runs this)
 *   npx tsx scripts/fuzz.ts --long                # ≥ 20,000 requests; figures for the record
 *   npx tsx scripts/fuzz.ts --max-examples 50 --seed 7 --phases examples,coverage,fuzzing
 *
 * Each operation is fuzzed as one caller the contract allows (anonymous, a citizen, or a
 * staff role), with every check schemathesis has; the API runs with its response
 * contract check on, so a response that disagrees with the document is a 500 as well.
 * Exits non-zero on any failure: a 5xx, a response outside the contract, invalid data
 * accepted, or a protected route that ignores its token.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  buildOpenApiDocument,
  createApiClient,
  fetchTransport,
  operations,
  toOpenApiPath,
  type ApiClient,
  type Caller,
  type OpenApiDocument,
} from '@ssp/shared';
import { buildApp } from '../api/src/app';
import { loadConfig } from '../api/src/config';
import { systemClock } from '../api/src/context';
import { createApiServer } from '../api/src/core/http-server';
import { createLogger } from '../api/src/core/logger';
import { connectDatabase } from '../api/src/db';
import { seedDemo } from '../api/src/seed/demo';
import { createServices } from '../api/src/services';
import { startFakeWeChat } from '../api/test/fakes/wechat-server';
import { REPO_ROOT, provideDatabase } from './db';

const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = path.join(REPO_ROOT, '.cache', `venv-schemathesis-${SCHEMATHESIS_VERSION}`);
const OPEN311_KEY = 'fuzz-open311-key-0000000000';

const { values: args } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    'max-examples': { type: 'string' },
    seed: { type: 'string', default: '20261123' },
    // One worker: Hypothesis' lambda introspection is not thread-safe ("AST constructor recursion depth mismatch").
    workers: { type: 'string', default: '1' },
    phases: { type: 'string', default: 'examples,coverage,fuzzing' },
    'min-requests': { type: 'string' },
    'report-dir': { type: 'string' },
  },
});
const maxExamples = Number(args['max-examples'] ?? (args.long ? 150 : 3));
const minRequests = Number(args['min-requests'] ?? (args.long ? 20_000 : 0));

function log(message: string): void {
  process.stdout.write(`[fuzz] ${message}\n`);
}

/** schemathesis in a virtualenv of its own under .cache (pinned, installed once from PyPI). */
function ensureSchemathesis(): string {
  const bin = path.join(VENV, 'bin', 'schemathesis');
  if (existsSync(bin)) return bin;
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('Python 3 is required to run schemathesis (the API fuzzer)');
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(REPO_ROOT, VENV)}`);
  const run = (cmd: string, cmdArgs: string[]) => {
    const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed`);
  };
  run(python, ['-m', 'venv', VENV]);
  run(path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  return bin;
}

/** Who fuzzes an operation: the first caller the contract allows, in this order. */
const CALLER_ORDER: Caller[] = ['citizen', 'admin', 'publicity', 'dispatcher', 'operator', 'supervisor', 'department'];
type FuzzCaller = Caller | 'anonymous';

function callerOf(access: (typeof operations)[number]['access']): FuzzCaller {
  if (access === 'public' || access === 'signed') return 'anonymous';
  return CALLER_ORDER.find((c) => access.includes(c)) ?? access[0]!;
}

/** The part of the document one caller fuzzes, with real ids as examples so requests reach real records. */
function documentFor(caller: FuzzCaller, full: OpenApiDocument, baseUrl: string, examples: Record<string, string>): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    if (callerOf(op.access) !== caller) continue;
    const key = toOpenApiPath(op.path);
    const operation = structuredClone(full.paths[key]![op.method]!);
    for (const parameter of operation.parameters ?? []) {
      const example = examples[`${key} ${parameter.name as string}`] ?? examples[`* ${parameter.name as string}`];
      if (parameter.in === 'path' && example) parameter.example = example;
    }
    (paths[key] ??= {})[op.method] = operation;
  }
  return { ...full, servers: [{ url: baseUrl }], paths };
}

const CONFIG_TOML = `
# Generated by scripts/fuzz.ts.
[checks.positive_data_acceptance]
# Schema-valid input may still break a business rule: an unknown id (404), a state that
# does not allow the action (409), a place outside the city (422), a limit reached (429),
# or a URL longer than the HTTP parser takes (431, answered in the envelope by core/http-server.ts).
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "410", "413", "415", "422", "423", "429", "431"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "423", "429", "431"]
`;

interface RunFigures {
  caller: FuzzCaller;
  seed: number;
  operations: number;
  requests: number;
  exitCode: number;
  seconds: number;
}

/** Counts the HTTP calls schemathesis made, from its HAR report. */
function countRequests(harPath: string): number {
  if (!existsSync(harPath)) return 0;
  const har = JSON.parse(readFileSync(harPath, 'utf8')) as { log?: { entries?: unknown[] } };
  return har.log?.entries?.length ?? 0;
}

function runSchemathesis(
  bin: string,
  caller: FuzzCaller,
  seed: number,
  schemaFile: string,
  baseUrl: string,
  token: string | null,
  reportDir: string,
): Promise<RunFigures> {
  const started = Date.now();
  const callerReports = path.join(reportDir, `${caller}-seed${seed}`);
  const cliArgs = [
    '--no-color',
    '--config-file',
    path.join(reportDir, 'schemathesis.toml'),
    'run',
    schemaFile,
    '--url',
    baseUrl,
    '--checks',
    'all',
    '--phases',
    args.phases!,
    '--max-examples',
    String(maxExamples),
    '--seed',
    String(seed),
    '--workers',
    args.workers!,
    '--suppress-health-check',
    'all',
    '--request-timeout',
    '30',
    '--continue-on-failure',
    '--report',
    'har,junit',
    '--report-har-path',
    path.join(callerReports, 'requests.har'),
    '--report-junit-path',
    path.join(callerReports, 'junit.xml'),
    '--warnings',
    'off',
    ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, cliArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const exitCode = code ?? 1;
      const operationCount = Object.values((JSON.parse(readFileSync(schemaFile, 'utf8')) as OpenApiDocument).paths).reduce(
        (n, m) => n + Object.keys(m).length,
        0,
      );
      if (exitCode !== 0) process.stdout.write(output);
      else
        process.stdout.write(
          output
            .split('\n')
            .filter((l) => /passed|failed|errors|Test cases|Summary/i.test(l))
            .map((l) => `  ${l}\n`)
            .join(''),
        );
      resolve({
        caller,
        seed,
        operations: operationCount,
        requests: countRequests(path.join(callerReports, 'requests.har')),
        exitCode,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

/** One real report of the fuzzing citizen (a photo through the real pipeline, in the first grid). */
async function createCitizenReport(citizen: ApiClient): Promise<string> {
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 120, b: 60 } } })
    .jpeg()
    .toBuffer();
  const form = new FormData();
  form.append('photos', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'p.jpg');
  const { photos } = await citizen.call('uploadPhotos', { body: form });
  const areas = await citizen.call('getAreaTree');
  const location = areas.districts[0]!.streets[0]!.grids[0]!.centroid;
  const { categories } = await citizen.call('listCategories', { query: { public: 'true' } });
  const report = await citizen.call('createReport', {
    body: {
      categoryId: categories[0]!.id,
      location,
      photoIds: photos.map((p) => p.id),
      clientRequestId: 'fuzz-report-0001',
      description: '模糊测试的上报',
    },
  });
  return report.id;
}

async function main(): Promise<void> {
  const bin = ensureSchemathesis();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ssp-fuzz-'));
  const reportDir = args['report-dir'] ? path.resolve(args['report-dir']) : path.join(work, 'reports');
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(path.join(reportDir, 'schemathesis.toml'), CONFIG_TOML);

  const database = await provideDatabase({ purpose: 'test', dataDir: path.join(work, 'db'), log });
  const dbName = `fuzz_${Date.now().toString(36)}`;
  // WeChat's servers are the outside world: its loopback fake answers logins (any code is a user).
  const wechat = await startFakeWeChat({ singleUseCodes: false });
  const config = loadConfig({
    ...wechat.env,
    NODE_ENV: 'test', // the response contract check and the dev login
    CONTRACT_CHECK: 'true',
    MONGODB_URI: database.uriFor(dbName),
    MEDIA_DIR: path.join(work, 'media'),
    LOG_LEVEL: 'error',
    DEV_LOGIN_ENABLED: 'true',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    REPORTS_PER_DAY: '1000',
    STATS_PUBLIC_RATE_PER_MINUTE: '100000',
    OPEN311_API_KEYS: `fuzz:${OPEN311_KEY}`,
  });
  const logger = createLogger(config.logLevel);
  const db = await connectDatabase(config);
  const services = createServices({ config, db, logger, clock: systemClock });
  const server = createApiServer(buildApp({ config, db, logger, version: 'fuzz', services }), logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const figures: RunFigures[] = [];
  try {
    log('loading the demo city, staff and cases');
    await seedDemo(services);

    const client = (token?: string) => createApiClient({ baseUrl, transport: fetchTransport(), getAccessToken: () => token });
    const tokens: Partial<Record<FuzzCaller, string>> = {};
    tokens.citizen = (await client().call('devLogin', { body: { devUser: 'fuzz-citizen', nickname: '模糊测试' } })).accessToken;
    const demoLogins: Record<string, [string, string]> = {
      admin: ['admin', 'demo-admin-2026'],
      publicity: ['publicity', 'demo-publicity-2026'],
      dispatcher: ['dispatcher', 'demo-dispatcher-2026'],
      operator: ['operator', 'demo-operator-2026'],
      supervisor: ['supervisor', 'demo-supervisor-2026'],
      department: ['dept1', 'demo-dept1-2026'],
    };
    for (const [role, [username, password]] of Object.entries(demoLogins)) {
      tokens[role as Caller] = (await client().call('staffLogin', { body: { username, password } })).accessToken;
    }

    // Real ids, so generated requests also reach existing records rather than only 404s.
    const queue = await client(tokens.dispatcher).call('caseQueue', { query: { limit: 5 } });
    const staff = await client(tokens.admin).call('listStaff');
    const areas = await client().call('getAreaTree');
    const rewards = await client().call('listRewards');
    const examples: Record<string, string> = {};
    const reportId = await createCitizenReport(client(tokens.citizen));
    for (const suffix of ['', '/withdraw', '/rating', '/not-fixed', '/confirm']) examples[`/me/reports/{id}${suffix} id`] = reportId;
    examples['/reports/{id}/support id'] = reportId;
    if (queue.items[0]) {
      examples['/staff/cases/{id} id'] = queue.items[0].id;
      examples['/staff/cases/{id}/actions id'] = queue.items[0].id;
    }
    const dept2 = staff.items.find((s) => s.username === 'dept2');
    if (dept2) examples['/admin/staff/{id} id'] = dept2.id;
    if (areas.districts[0]) examples['* districtId'] = areas.districts[0].id;
    if (rewards.items[0]) {
      examples['/rewards/{id}/claims id'] = rewards.items[0].id;
      examples['/admin/rewards/{id} id'] = rewards.items[0].id;
    }

    const full = buildOpenApiDocument({ version: 'fuzz' });
    const callers = [...new Set(operations.map((op) => callerOf(op.access)))];
    // Hypothesis stops early on operations with few distinct inputs, so a long run adds
    // rounds with the next seeds (on the same, by now well-used, database) until it has its requests.
    const schemaFile = (caller: FuzzCaller) => path.join(reportDir, `openapi-${caller}.json`);
    for (const caller of callers) writeFileSync(schemaFile(caller), JSON.stringify(documentFor(caller, full, baseUrl, examples)));
    for (let round = 0; round < 10; round++) {
      const seed = Number(args.seed) + round;
      for (const caller of callers) {
        log(`fuzzing as ${caller} (seed ${seed})`);
        figures.push(
          await runSchemathesis(bin, caller, seed, schemaFile(caller), baseUrl, caller === 'anonymous' ? null : tokens[caller]!, reportDir),
        );
      }
      if (figures.reduce((n, f) => n + f.requests, 0) >= minRequests || figures.some((f) => f.exitCode !== 0)) break;
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.dropDatabase().catch(() => undefined);
    await db.close();
    await database.stop();
    await wechat.close();
    if (!args['report-dir']) rmSync(work, { recursive: true, force: true });
  }

  const total = figures.reduce((n, f) => n + f.requests, 0);
  const failed = figures.filter((f) => f.exitCode !== 0);
  process.stdout.write(`\nschemathesis ${SCHEMATHESIS_VERSION}, max-examples ${maxExamples}, phases ${args.phases}, all checks\n`);
  process.stdout.write('| caller | seed | operations | requests | seconds | result |\n|---|---|---|---|---|---|\n');
  for (const f of figures) {
    process.stdout.write(
      `| ${f.caller} | ${f.seed} | ${f.operations} | ${f.requests} | ${f.seconds.toFixed(0)} | ${f.exitCode === 0 ? 'pass' : `FAIL (exit ${f.exitCode})`} |\n`,
    );
  }
  process.stdout.write(
    `| total | | ${operations.length} | ${total} | ${figures.reduce((s, f) => s + f.seconds, 0).toFixed(0)} | ${failed.length ? 'FAIL' : 'pass'} |\n`,
  );
  if (failed.length) throw new Error(`schemathesis found failures as ${failed.map((f) => f.caller).join(', ')}`);
  if (total < minRequests) throw new Error(`only ${total} requests, fewer than the ${minRequests} asked for`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`\n✖ ${err.message}\n`);
    process.exit(1);
  },
);
