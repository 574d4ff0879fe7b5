import { createRequire } from 'node:module';
import { mongo } from 'mongoose';

/**
 * Works around a race in the MongoDB driver (7.8; the same code in 7.9): a command written on
 * a connection whose socket closes between the command's serialisation and the write waits
 * forever. The write to the destroyed socket returns false, and the driver then waits for a
 * 'drain' (or an 'error') that a destroyed socket never emits; no socket timeout fires either.
 * When that connection is the server monitor's, the driver never checks the server again and
 * the API answers 503 until it is restarted: seen 1 run in ~10 of
 * api/test/faults-database.test.ts on a loaded machine (database restarted under submissions).
 *
 * The guard makes a write on a connection that closes, or has closed, fail with the driver's
 * own network error, as any other lost connection does. It wraps the driver's private
 * `Connection#writeCommand`: `installMongodbWriteGuard` checks that it exists and throws at
 * start-up if a driver upgrade removed it (then see whether the race is fixed upstream).
 */
export function installMongodbWriteGuard(): void {
  const { Connection } = driverInternals<{ Connection: { prototype: object } }>('lib/cmap/connection');
  const proto = Connection.prototype as ConnectionProto;
  if (proto[GUARDED]) return;
  const writeCommand = proto.writeCommand;
  if (typeof writeCommand !== 'function') {
    throw new Error('mongodb driver: Connection#writeCommand not found; review api/src/core/mongodb-write-guard.ts for this driver version');
  }
  proto.writeCommand = function guardedWriteCommand(this: DriverConnection, ...args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(lostConnection(this));
    let onClose!: () => void;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(lostConnection(this));
      this.once('close', onClose);
    });
    return Promise.race([writeCommand.apply(this, args), closed]).finally(() => this.off('close', onClose));
  };
  proto[GUARDED] = true;
}

const GUARDED = Symbol.for('suishoupai.mongodbWriteGuard');

interface DriverConnection {
  closed: boolean;
  id: number | string;
  address: string;
  error: unknown;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}
type ConnectionProto = { writeCommand: (...args: unknown[]) => Promise<unknown>; [GUARDED]?: boolean };

function lostConnection(connection: DriverConnection): Error {
  return connection.error instanceof mongo.MongoNetworkError
    ? connection.error
    : new mongo.MongoNetworkError(`connection ${connection.id} to ${connection.address} closed`);
}

/** A private module of the driver mongoose itself loads (not another copy npm might have installed). */
export function driverInternals<T>(modulePath: string): T {
  return createRequire(require.resolve('mongoose'))(`mongodb/${modulePath}`) as T;
}
