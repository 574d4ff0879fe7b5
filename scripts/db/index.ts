/**
 * The database every run uses (`npm start`, `npm test`, the benches, the fuzz run): the most
 * real MongoDB that can be had here, in this order:
 *
 *   1. MONGODB_URI (TEST_MONGODB_URI for tests): a MongoDB someone runs; used as it is.
 *   2. a `mongod` on PATH, started on loopback as a single-node replica set;
 *   3. a `mongod` fetched by mongodb-memory-server (needs MongoDB's download site; checked in seconds);
 *   4. the stand-in (scripts/standin): mongo-java-server with the project's indexes, on Java.
 *
 * It prints which one is in use, why the ones before it were passed over, and its limits.
 */
import path from 'node:path';
import { memoryServerBinary, type BinaryLookup } from './memory-server';
import { MONGOD_LIMITS, startMongod } from './mongod';
import { freePort, REPO_ROOT, which } from './process';
import { STANDIN_LIMITS, standInToolchain, startStandIn } from './standin';

export { freePort, REPO_ROOT };

export type DatabaseSource =
  { kind: 'given'; variable: string; uri: string } | { kind: 'mongod'; from: 'PATH' | 'mongodb-memory-server'; bin: string } | { kind: 'standin' };

export interface DatabaseDecision {
  source: DatabaseSource;
  /** Why each option before the chosen one was passed over. */
  passedOver: string[];
}

/** What the decision looks at; the real probes are below, tests give their own. */
export interface DatabaseProbes {
  purpose: 'start' | 'test';
  env: NodeJS.ProcessEnv;
  mongodOnPath(): string | null;
  memoryServerBinary(): Promise<BinaryLookup>;
  standInToolchain(): object | { missing: string };
}

export async function chooseDatabase(probes: DatabaseProbes): Promise<DatabaseDecision> {
  const passedOver: string[] = [];
  const variable = probes.purpose === 'test' ? 'TEST_MONGODB_URI' : 'MONGODB_URI';
  const given = probes.env[variable]?.trim();
  if (given) return { source: { kind: 'given', variable, uri: given }, passedOver };
  passedOver.push(`${variable} is not set`);

  const onPath = probes.mongodOnPath();
  if (onPath) return { source: { kind: 'mongod', from: 'PATH', bin: onPath }, passedOver };
  passedOver.push('no mongod on PATH');

  const fetched = await probes.memoryServerBinary();
  if ('path' in fetched) return { source: { kind: 'mongod', from: 'mongodb-memory-server', bin: fetched.path }, passedOver };
  passedOver.push(fetched.unavailable);

  const toolchain = probes.standInToolchain();
  if ('missing' in toolchain) {
    throw new Error(
      `No database can be had here. Tried: ${passedOver.join('; ')}; the stand-in ${toolchain.missing}.\n` +
        'Set MONGODB_URI (TEST_MONGODB_URI for tests) to a MongoDB, put mongod on PATH, or install Java 17 and Maven ' +
        '(Debian: apt-get install -y openjdk-17-jdk-headless maven).',
    );
  }
  return { source: { kind: 'standin' }, passedOver };
}

export interface LocalDatabase {
  kind: DatabaseSource['kind'];
  /** One line: what it is and its known limits. */
  description: string;
  /** The server's URI, without a database name. */
  uri: string;
  /** The URI of one database on it. */
  uriFor(dbName: string): string;
  stop(): Promise<void>;
}

export interface ProvideOptions {
  /** `start`: data kept in dataDir between runs; `test`: throwaway (a temp dataDir, the stand-in in memory). */
  purpose: 'start' | 'test';
  dataDir: string;
  port?: number;
  log?: (msg: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function provideDatabase(opts: ProvideOptions): Promise<LocalDatabase> {
  const log = opts.log ?? (() => {});
  const decision = await chooseDatabase({
    purpose: opts.purpose,
    env: opts.env ?? process.env,
    mongodOnPath: () => which('mongod'),
    memoryServerBinary: () => memoryServerBinary(log),
    standInToolchain,
  });
  const { source } = decision;
  let uri: string;
  let stop: () => Promise<void> = async () => {};
  let description: string;
  if (source.kind === 'given') {
    uri = source.uri;
    description = `MongoDB at ${redact(uri)} (from ${source.variable})`;
  } else if (source.kind === 'mongod') {
    const port = opts.port ?? (await freePort());
    const mongod = await startMongod({ bin: source.bin, dataDir: path.join(opts.dataDir, 'mongod'), port });
    ({ uri, stop } = mongod);
    description = `mongod (${source.from === 'PATH' ? source.bin : 'fetched by mongodb-memory-server'}) on 127.0.0.1:${port}; limits: ${MONGOD_LIMITS}`;
  } else {
    const port = opts.port ?? (await freePort());
    const file = opts.purpose === 'start' ? path.join(opts.dataDir, 'standin.mv') : undefined;
    const standIn = await startStandIn({ port, file, log });
    ({ uri, stop } = standIn);
    description = `stand-in (mongo-java-server 1.47, ${file ? `H2 file ${path.relative(REPO_ROOT, file)}` : 'in memory'}) on 127.0.0.1:${port}; limits: ${STANDIN_LIMITS}`;
  }
  if (decision.passedOver.length) log(`database: passed over: ${decision.passedOver.join('; ')}`);
  log(`database: ${description}`);
  return { kind: source.kind, description, uri, uriFor: (dbName) => databaseUri(uri, dbName), stop };
}

export function databaseUri(serverUri: string, dbName: string): string {
  const url = new URL(serverUri);
  url.pathname = `/${dbName}`;
  return url.toString();
}

function redact(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URI)';
  }
}
