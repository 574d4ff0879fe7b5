/** `npm run db`: runs the local database in the foreground (for mongosh or debugging). */
import path from 'node:path';
import { REPO_ROOT, startLocalDatabase } from './db';

async function main(): Promise<void> {
  const db = await startLocalDatabase({
    dataDir: path.join(REPO_ROOT, '.data', 'db'),
    port: Number(process.env.LOCAL_DB_PORT ?? 27018),
    log: (m) => process.stdout.write(`${m}\n`),
  });
  process.stdout.write(`MONGODB_URI=${db.uri}suishoupai\nCtrl+C to stop.\n`);
  const stop = () => void db.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
