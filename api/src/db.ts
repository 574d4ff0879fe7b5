import mongoose, { type Connection } from 'mongoose';
import type { Config } from './config';
import { installMongodbWriteGuard } from './core/mongodb-write-guard';

/**
 * One mongoose connection per app instance (tests open one per database).
 * Commands are not buffered while disconnected, so requests fail fast with 503.
 */
export async function connectDatabase(
  config: Pick<Config, 'mongodbUri' | 'mongodbServerSelectionTimeoutMs' | 'mongodbMaxPoolSize'> & { mongodbSocketTimeoutMs?: number },
): Promise<Connection> {
  installMongodbWriteGuard();
  const connection = mongoose.createConnection(config.mongodbUri, {
    bufferCommands: false,
    maxPoolSize: config.mongodbMaxPoolSize,
    autoIndex: true,
    serverSelectionTimeoutMS: config.mongodbServerSelectionTimeoutMs,
    socketTimeoutMS: config.mongodbSocketTimeoutMs ?? 20_000,
  });
  try {
    await connection.asPromise();
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
  return connection;
}

/**
 * Start-up only: the database may still be coming up beside us (a restart, a container
 * starting at the same time), so keep trying for a while before giving up.
 */
export async function connectDatabaseWhenReachable(
  config: Parameters<typeof connectDatabase>[0],
  onRetry: (err: Error) => void,
  giveUpAfterMs = 60_000,
): Promise<Connection> {
  const deadline = Date.now() + giveUpAfterMs;
  for (;;) {
    try {
      return await connectDatabase(config);
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      onRetry(err as Error);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export async function pingDatabase(connection: Connection, timeoutMs = 2000): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  const ping = connection.db
    .admin()
    .ping()
    .then(
      () => true,
      () => false,
    );
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([ping, timeout]);
}

/** A write refused by a unique index: how idempotency and races are detected (code 11000). */
export const isDuplicateKeyError = (err: unknown): boolean => (err as { code?: number } | null)?.code === 11000;
