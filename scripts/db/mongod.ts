/** Starts a real `mongod` on loopback as a single-node replica set, the shape production runs in. */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { stopChild, tailStderr, waitForPort } from './process';

export const MONGOD_LIMITS = 'none: a real MongoDB (single-node replica set rs0; production runs three members)';

export interface MongodProcess {
  uri: string;
  stop(): Promise<void>;
}

export async function startMongod(opts: { bin: string; dataDir: string; port: number }): Promise<MongodProcess> {
  mkdirSync(opts.dataDir, { recursive: true });
  const host = `127.0.0.1:${opts.port}`;
  const child = spawn(opts.bin, ['--dbpath', opts.dataDir, '--bind_ip', '127.0.0.1', '--port', String(opts.port), '--replSet', 'rs0', '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr = tailStderr(child);
  await waitForPort(opts.port, child, 60_000, stderr);
  try {
    await initiateReplicaSet(host);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { uri: `mongodb://${host}/?replicaSet=rs0`, stop: () => stopChild(child, 30_000) };
}

/** Initiates rs0 with this one member (or re-points it when the port changed since the data was written). */
async function initiateReplicaSet(host: string): Promise<void> {
  const client = new MongoClient(`mongodb://${host}/?directConnection=true`, { serverSelectionTimeoutMS: 10_000 });
  try {
    const admin = client.db('admin');
    try {
      await admin.command({ replSetInitiate: { _id: 'rs0', members: [{ _id: 0, host }] } });
    } catch (err) {
      if ((err as { codeName?: string }).codeName !== 'AlreadyInitialized') throw err;
      const { config } = (await admin.command({ replSetGetConfig: 1 })) as { config: { version: number; members: { host: string }[] } };
      if (config.members[0]?.host !== host) {
        await admin.command({ replSetReconfig: { ...config, version: config.version + 1, members: [{ _id: 0, host }] }, force: true });
      }
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const hello = (await admin.command({ hello: 1 })) as { isWritablePrimary?: boolean };
      if (hello.isWritablePrimary) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`mongod at ${host} did not become primary of rs0 within 30 s`);
  } finally {
    await client.close();
  }
}
