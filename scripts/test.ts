/**
 * README command 2: `npm install && npm test`.
 * Installs what the machine lacks (scripts/prerequisites.ts), lints, builds what the tests
 * need, starts one real database server for the whole run (scripts/db),
 * (the mini-program targets and the staff console), runs every workspace's jest tests against it (the browser
 * tests last, one file at a time), checks both mini-program builds, and
 * fuzzes every route against the OpenAPI contract (scripts/fuzz.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, provideDatabase, type LocalDatabase } from './db';
import { ensurePrerequisites } from './prerequisites';
import { runStep } from './run';

async function main(): Promise<void> {
  const npx = 'npx';
  await ensurePrerequisites((m) => process.stdout.write(`\n▶ ${m}\n`));
  await runStep('lint (ESLint, Prettier)', 'npm', ['run', 'lint'], { cwd: REPO_ROOT });
  await runStep('build shared', 'npm', ['run', 'build', '-w', 'shared'], { cwd: REPO_ROOT });
  await runStep('typecheck api', npx, ['tsc', '-p', 'api/tsconfig.json', '--noEmit'], { cwd: REPO_ROOT });
  await runStep('typecheck scripts and benchmarks', npx, ['tsc', '-p', 'scripts/tsconfig.json', '--noEmit'], { cwd: REPO_ROOT });
  await runStep('build mini-program (weapp)', 'npm', ['run', 'build:weapp', '-w', 'miniapp'], { cwd: REPO_ROOT });
  await runStep('build mini-program (h5)', 'npm', ['run', 'build:h5', '-w', 'miniapp'], { cwd: REPO_ROOT });
  await runStep('typecheck console', npx, ['tsc', '-p', 'console/tsconfig.json', '--noEmit'], { cwd: REPO_ROOT });
  await runStep('build console', 'npm', ['run', 'build', '-w', 'console'], { cwd: REPO_ROOT });

  const env = { ...process.env };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ssp-testdb-'));
  const db: LocalDatabase = await provideDatabase({ purpose: 'test', dataDir, log: (m) => process.stdout.write(`[db] ${m}\n`) });
  env.SSP_TEST_MONGODB_URI = db.uri;
  const unitResults = path.join(os.tmpdir(), `ssp-jest-${process.pid}.json`);
  const browserResults = path.join(os.tmpdir(), `ssp-jest-e2e-${process.pid}.json`);
  try {
    await runStep(
      'jest (shared, scripts, api, miniapp, console)',
      npx,
      ['jest', '--json', `--outputFile=${unitResults}`, '--testPathIgnorePatterns', '/e2e/'],
      {
        cwd: REPO_ROOT,
        env,
      },
    );
    // The browser tests one file at a time, after the rest: on two cores, a browser, the API and
    // the database beside another test file's load made their waits flaky.
    await runStep(
      'jest (e2e, in the browser, one file at a time)',
      npx,
      ['jest', '--json', `--outputFile=${browserResults}`, '--selectProjects', 'e2e', '--runInBand'],
      {
        cwd: REPO_ROOT,
        env,
      },
    );
  } finally {
    await reportJest([unitResults, browserResults]);
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Every route against its contract with schemathesis; the long run is `npm run fuzz:long`.
  await runStep('fuzz every route (schemathesis, short run)', npx, ['tsx', 'scripts/fuzz.ts'], { cwd: REPO_ROOT });
}

async function reportJest(resultsFiles: string[]): Promise<void> {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const file of resultsFiles) {
    try {
      const results = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
      total.passed += results.numPassedTests;
      total.failed += results.numFailedTests;
      total.skipped += results.numPendingTests;
      rmSync(file, { force: true });
    } catch {
      /* that jest run did not get as far as writing results */
    }
  }
  process.stdout.write(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`\n✖ ${err.message}\n`);
  process.exit(1);
});
