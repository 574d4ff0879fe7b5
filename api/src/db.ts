import mongoose, { type Connection } from 'mongoose';
import type { Config } from './config';

/**
 * One mongoose connection per app instance (tests open one per database).
 * Commands are not buffered while disconnected, so requests fail fast with 503.
 */
export async function connectDatabase(
  config: Pick<Config, 'mongodbUri' | 'mongodbServerSelectionTimeoutMs' | 'mongodbMaxPoolSize'>,
): Promise<Connection> {
  const connection = mongoose.createConnection(config.mongodbUri, {
    bufferCommands: false,
    maxPoolSize: config.mongodbMaxPoolSize,
    autoIndex: true,
    serverSelectionTimeoutMS: config.mongodbServerSelectionTimeoutMs,
    // FerretDB v1 does not support retryable writes; MongoDB does not need them for correctness here.
    retryWrites: false,
  });
  await connection.asPromise();
  return connection;
}

export async function pingDatabase(connection: Connection, timeoutMs = 2000): Promise<boolean> {
  if (connection.readyState !== 1 || !connection.db) return false;
  const ping = connection.db.admin().ping().then(() => true, () => false);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([ping, timeout]);
}
