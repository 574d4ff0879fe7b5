/**
 * README command 1: `npm install && npm start`.
 * Starts the local database (scripts/db: MONGODB_URI, else the most real MongoDB that
 * can be had here), builds the H5 app, the staff console and
 * the API, loads the demo city once, and serves everything on one port.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, provideDatabase } from './db';
import { runStep } from './run';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const db = await provideDatabase({
    purpose: 'start',
    dataDir: path.join(REPO_ROOT, '.data', 'db'),
    port: process.env.LOCAL_DB_PORT ? Number(process.env.LOCAL_DB_PORT) : undefined,
    log: (m) => process.stdout.write(`[db] ${m}\n`),
  });
  const mongodbUri = db.kind === 'given' ? db.uri : db.uriFor('suishoupai');

  await runStep('build shared', 'npm', ['run', 'build', '-w', 'shared'], { cwd: REPO_ROOT });
  await runStep('build api', 'npm', ['run', 'build', '-w', 'api'], { cwd: REPO_ROOT });
  if (process.env.SKIP_H5_BUILD !== '1') {
    await runStep('build H5 app', 'npm', ['run', 'build:h5', '-w', 'miniapp'], { cwd: REPO_ROOT });
  }
  if (process.env.SKIP_CONSOLE_BUILD !== '1') {
    await runStep('build staff console', 'npm', ['run', 'build', '-w', 'console'], { cwd: REPO_ROOT });
  }

  const env = {
    ...process.env,
    MONGODB_URI: mongodbUri,
    PORT: String(port),
    // The local demo has no WeChat AppID, so the browser app logs in through the dev login.
    DEV_LOGIN_ENABLED: process.env.DEV_LOGIN_ENABLED ?? 'true',
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
        `\n✔ 随手拍 is running\n  App (H5):  http://127.0.0.1:${port}/app/\n  Console:   http://127.0.0.1:${port}/console/\n  API:       http://127.0.0.1:${port}/healthz\n  Database:  ${db.description}\n  Stop with Ctrl+C. Set VERBOSE=1 to see API logs.\n`,
      );
    }
  });

  const stop = async () => {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  api.on('exit', async (code) => {
    if (code !== 0 && code !== null) {
      process.stderr.write(`API exited with code ${code}\n`);
      await db.stop();
      process.exit(code);
    }
  });
}

main().catch((err: Error) => {
  process.stderr.write(`\n✖ ${err.message}\n`);
  process.exit(1);
});
