import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__TEST_DATABASE__;
  if (!started) return;
  await started.db.stop();
  rmSync(started.dataDir, { recursive: true, force: true });
}
