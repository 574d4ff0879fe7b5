/** `npm run db`: runs the local database in the foreground (for mongosh or debugging), as `npm start` would. */
import path from 'node:path';
import { REPO_ROOT, provideDatabase } from './db';

async function main(): Promise<void> {
  const db = await provideDatabase({
    purpose: 'start',
    dataDir: path.join(REPO_ROOT, '.data', 'db'),
    port: Number(process.env.LOCAL_DB_PORT ?? 27018),
    log: (m) => process.stdout.write(`${m}\n`),
  });
  process.stdout.write(`MONGODB_URI=${db.kind === 'given' ? db.uri : db.uriFor('suishoupai')}\nCtrl+C to stop.\n`);
  const stop = () => void db.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
