import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startLocalDatabase, type LocalDatabase } from '../../../scripts/db';

declare global {
  // eslint-disable-next-line no-var
  var __TEST_DATABASE__: { db: LocalDatabase; dataDir: string } | undefined;
}

/** Starts one real database server for the run, unless TEST_MONGODB_URI names one to reuse. */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_MONGODB_URI) {
    process.env.SSP_TEST_MONGODB_URI = process.env.TEST_MONGODB_URI;
    return;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-testdb-'));
  const db = await startLocalDatabase({ dataDir, log: (m) => process.stderr.write(`[test-db] ${m}\n`) });
  globalThis.__TEST_DATABASE__ = { db, dataDir };
  process.env.SSP_TEST_MONGODB_URI = db.uri;
}
