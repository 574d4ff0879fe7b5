import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { provideDatabase, type LocalDatabase } from '../../../scripts/db';

declare global {
  // eslint-disable-next-line no-var
  var __TEST_DATABASE__: { db: LocalDatabase; dataDir: string } | undefined;
}

/** One real database server for the run (scripts/db decides which), unless one was already provided. */
export default async function globalSetup(): Promise<void> {
  if (process.env.SSP_TEST_MONGODB_URI) return;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-testdb-'));
  const db = await provideDatabase({ purpose: 'test', dataDir, log: (m) => process.stderr.write(`[test-db] ${m}\n`) });
  globalThis.__TEST_DATABASE__ = { db, dataDir };
  process.env.SSP_TEST_MONGODB_URI = db.uri;
}
