/**
 * README command 1: `npm install && npm start`.
 * Starts the local database (unless MONGODB_URI names one), builds the H5 app and
 * the API, loads the demo city once, and serves everything on one port.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, freePort, startLocalDatabase, type LocalDatabase } from './db';
import { runStep } from './run';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  let db: LocalDatabase | undefined;
  let mongodbUri = process.env.MONGODB_URI;
  if (!mongodbUri) {
    const wanted = Number(process.env.LOCAL_DB_PORT ?? 27018);
    const dbPort = await freePort().then((free) => (process.env.LOCAL_DB_PORT ? wanted : free));
    db = await startLocalDatabase({
      dataDir: path.join(REPO_ROOT, '.data', 'db'),
      port: dbPort,
      log: (m) => process.stdout.write(`[db] ${m}\n`),
    });
    mongodbUri = `${db.uri}suishoupai`;
  }

  await runStep('build shared', 'npm', ['run', 'build', '-w', 'shared'], { cwd: REPO_ROOT });
  await runStep('build api', 'npm', ['run', 'build', '-w', 'api'], { cwd: REPO_ROOT });
  if (process.env.SKIP_H5_BUILD !== '1') {
    await runStep('build H5 app', 'npm', ['run', 'build:h5', '-w', 'miniapp'], { cwd: REPO_ROOT });
  }

  const env = {
    ...process.env,
    MONGODB_URI: mongodbUri,
    PORT: String(port),
    // The local demo has no WeChat AppID, so the browser app logs in through the dev login.
    DEV_LOGIN_ENABLED: process.env.DEV_LOGIN_ENABLED ?? 'true',
    // FerretDB v1 applies concurrent updates of one document non-atomically: one connection serialises them.
    ...(db ? { MONGODB_MAX_POOL_SIZE: '1' } : {}),
  };
  await runStep('load demo data (once)', 'node', ['api/dist/cli.js', 'seed-demo'], { cwd: REPO_ROOT, env });

  const api = spawn('node', ['api/dist/main.js'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let announced = false;
  api.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (process.env.VERBOSE === '1') process.stdout.write(text);
    if (!announced && text.includes('api listening')) {
      announced = true;
      process.stdout.write(
        `\n✔ 随手拍 is running\n  App (H5):  http://127.0.0.1:${port}/app/\n  API:       http://127.0.0.1:${port}/healthz\n  Database:  ${mongodbUri}\n  Stop with Ctrl+C. Set VERBOSE=1 to see API logs.\n`,
      );
    }
  });

  const stop = async () => {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  api.on('exit', async (code) => {
    if (code !== 0 && code !== null) {
      process.stderr.write(`API exited with code ${code}\n`);
      await db?.stop();
      process.exit(code);
    }
  });
}

main().catch((err: Error) => {
  process.stderr.write(`\n✖ ${err.message}\n`);
  process.exit(1);
});
