import type { Connection } from 'mongoose';
import type { Config } from '../config';

/**
 * Loads the demo city (a made-up county) once. Later domains add their demo data
 * here; every step must be idempotent because `npm start` runs it on each start.
 */
export async function seedDemo(_db: Connection, _config: Config): Promise<string> {
  return 'Demo data: nothing to load yet.';
}
