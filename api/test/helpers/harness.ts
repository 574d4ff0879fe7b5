import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { createApiClient, fetchTransport, type ApiClient } from '@ssp/shared';
import { buildApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createApiServer } from '../../src/core/http-server';
import { createLogger } from '../../src/core/logger';
import { connectDatabase } from '../../src/db';
import { systemClock, type Clock } from '../../src/context';
import { createServices, type Services } from '../../src/services';

export function testDatabaseUri(dbName: string): string {
  const base = process.env.SSP_TEST_MONGODB_URI;
  if (!base) throw new Error('SSP_TEST_MONGODB_URI is not set: run tests through jest so global-setup starts the database');
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/**
 * A fresh database of its own for one test file, dropped by `drop()`; or, given `uri`,
 * a database on a server the test runs itself (e.g. one it stops and restarts).
 */
export async function openTestDatabase(
  at: { uri?: string; serverSelectionTimeoutMs?: number } = {},
): Promise<{ db: Connection; uri: string; drop(): Promise<void> }> {
  const uri = at.uri ?? testDatabaseUri(`t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`);
  // The production pool size: concurrency is part of what the tests check.
  const db = await connectDatabase({
    mongodbUri: uri,
    mongodbServerSelectionTimeoutMs: at.serverSelectionTimeoutMs ?? 5000,
    mongodbMaxPoolSize: loadConfig({ NODE_ENV: 'test' }).mongodbMaxPoolSize,
  });
  return {
    db,
    uri,
    async drop() {
      await db.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}

/** Collects log lines in memory so tests can read what the API logged. */
export class LogCapture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApi {
  url: string;
  db: Connection;
  config: Config;
  services: Services;
  logs: LogCapture;
  /** The API's typed client (shared/src/client.ts), signed in with `token` when given. */
  client(token?: string): ApiClient;
  close(): Promise<void>;
}

/** The typed client for an API at `url`, with a fixed bearer token when given. */
export function apiClient(url: string, token?: string): ApiClient {
  return createApiClient({ baseUrl: url, transport: fetchTransport(), getAccessToken: () => token, timeoutMs: 60_000 });
}

/** A clock tests can move; starts at the real time unless told otherwise. */
export class TestClock implements Clock {
  constructor(private current = new Date()) {}
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date | string): void {
    this.current = new Date(date);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApiOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** A database of the test's own instead of a fresh one on the shared test server. */
  mongodbUri?: string;
}

/** The real app on a real loopback port with its own database. */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const selectionTimeout = options.env?.MONGODB_SERVER_SELECTION_TIMEOUT_MS;
  const database = await openTestDatabase({
    uri: options.mongodbUri,
    serverSelectionTimeoutMs: selectionTimeout ? Number(selectionTimeout) : undefined,
  });
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-media-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', MONGODB_URI: database.uri, MEDIA_DIR: mediaDir, ...options.env });
  const logs = new LogCapture();
  const logger = createLogger(config.logLevel, logs);
  const services = createServices({ config, db: database.db, logger, clock: options.clock ?? systemClock });
  const app = buildApp({ config, db: database.db, logger, version: 'test', services });
  const server = createApiServer(app, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    client: (token?: string) => apiClient(url, token),
    db: database.db,
    config,
    services,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.relay.settled();
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}
