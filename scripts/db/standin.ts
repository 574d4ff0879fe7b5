/**
 * The stand-in for MongoDB where none can be had: mongo-java-server 1.47 (Maven Central) with the
 * project's own secondary indexes, explain and indexed $match (scripts/standin/src). Its jars are
 * fetched with Maven and its sources compiled with javac into the git-ignored .cache/ on first use.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, run, stopChild, tailStderr, waitForPort, which } from './process';

const SOURCE_DIR = path.join(REPO_ROOT, 'scripts', 'standin');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'standin');

export const STANDIN_LIMITS =
  'atomic single-document updates and unique indexes as on MongoDB; equality ($eq/$in) on an index prefix reads the index, ' +
  'ranges, sorts and other filters are applied in memory to what it reads; no transactions, change streams, $lookup across ' +
  'databases, geo or text indexes; one process, so no replica set (writes are not replicated)';

/** Java and Maven, or the reason the stand-in cannot be built here. */
export function standInToolchain(): { java: string; javac: string; mvn: string } | { missing: string } {
  const java = which('java');
  const javac = which('javac');
  const mvn = which('mvn');
  if (!java || !javac || !mvn) {
    return {
      missing: `needs Java 17+ (java, javac) and Maven (mvn); missing: ${[!java && 'java', !javac && 'javac', !mvn && 'mvn'].filter(Boolean).join(', ')}`,
    };
  }
  return { java, javac, mvn };
}

/** The classpath of the compiled stand-in: fetches the jars and compiles the sources when they changed. */
export function ensureStandIn(log: (msg: string) => void): string {
  const toolchain = standInToolchain();
  if ('missing' in toolchain) throw new Error(`the local database stand-in ${toolchain.missing}`);
  const pom = path.join(SOURCE_DIR, 'pom.xml');
  const javaDir = path.join(SOURCE_DIR, 'src', 'suishoupai', 'standin');
  const sources = readdirSync(javaDir)
    .filter((f) => f.endsWith('.java'))
    .sort()
    .map((f) => path.join(javaDir, f));
  const hash = createHash('sha256');
  for (const file of [pom, ...sources]) hash.update(readFileSync(file));
  const key = hash.digest('hex').slice(0, 16);

  const libDir = path.join(CACHE_DIR, 'lib');
  const classesDir = path.join(CACHE_DIR, `classes-${key}`);
  const stamp = path.join(classesDir, '.built');
  if (!existsSync(stamp)) {
    log('Preparing the local database stand-in (mongo-java-server from Maven Central, first run only)…');
    rmSync(libDir, { recursive: true, force: true });
    run(toolchain.mvn, ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`]);
    rmSync(classesDir, { recursive: true, force: true });
    mkdirSync(classesDir, { recursive: true });
    run(toolchain.javac, ['-nowarn', '-d', classesDir, '-cp', `${libDir}/*`, ...sources]);
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
  return `${classesDir}${path.delimiter}${libDir}/*`;
}

export interface StandInProcess {
  uri: string;
  stop(): Promise<void>;
}

/**
 * The stand-in's maximum heap: every document lives in it (a city-year of 200 k cases with event
 * logs and rollups took ~12 GB in bench/city.ts), beyond the JVM's default of a quarter of the RAM.
 * An -Xmx in JAVA_TOOL_OPTIONS wins.
 */
export function standInHeap(): string {
  const named = /-Xmx(\S+)/.exec(process.env.JAVA_TOOL_OPTIONS ?? '');
  return named ? named[1]! : `${Math.max(2, Math.floor((0.6 * os.totalmem()) / 2 ** 30))}g`;
}

/** Starts the stand-in on loopback: in memory, or in an H2 file that survives restarts. */
export async function startStandIn(opts: { port: number; file?: string; log: (msg: string) => void }): Promise<StandInProcess> {
  const classpath = ensureStandIn(opts.log);
  const args = [
    `-Xmx${standInHeap()}`,
    '-XX:+UseParallelGC',
    '-Xss4m',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-cp',
    classpath,
    'suishoupai.standin.StandIn',
    '--host',
    '127.0.0.1',
    '--port',
    String(opts.port),
  ];
  if (opts.file) {
    mkdirSync(path.dirname(opts.file), { recursive: true });
    args.push('--file', opts.file);
  }
  const child = spawn('java', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // A runner that exits without stopping it (an interrupted bench) must not leave it behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const stderr = tailStderr(child);
  await waitForPort(opts.port, child, 60_000, stderr);
  return {
    uri: `mongodb://127.0.0.1:${opts.port}/`,
    // The H2 file is written on close: give it time.
    stop: () => stopChild(child, 30_000),
  };
}
