/**
 * The driver race api/src/core/mongodb-write-guard.ts works around, reproduced on a real
 * socket: the connection closes between the command's serialisation and its write.
 */
import net from 'node:net';
import { once } from 'node:events';
import { mongo } from 'mongoose';
import { driverInternals, installMongodbWriteGuard } from '../src/core/mongodb-write-guard';

type CommandingConnection = { command(ns: unknown, cmd: object, options: object): Promise<unknown> };

let server: net.Server;
beforeAll(async () => {
  server = net.createServer(() => undefined); // accepts and never answers
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(() => server.close());

/** A driver connection on a real socket, whose socket is destroyed just as a command starts. */
async function commandOnClosingSocket(): Promise<string> {
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  const { Connection } = driverInternals<{ Connection: new (socket: net.Socket, options: object) => CommandingConnection }>('lib/cmap/connection');
  const { ns } = driverInternals<{ ns: (namespace: string) => unknown }>('lib/utils');
  const connection = new Connection(socket, { id: 1, generation: 0 });
  // Node closes the socket on its next tick: after the driver checked it, before the driver writes.
  socket.destroy();
  const outcome = connection.command(ns('admin.$cmd'), { ping: 1 }, {}).then(
    () => 'answered',
    (err: unknown) => (err instanceof mongo.MongoNetworkError ? 'network error' : `other error: ${String(err)}`),
  );
  const hung = new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2000).unref());
  return Promise.race([outcome, hung]);
}

it('a command on a connection that closes as it is written fails with a network error instead of waiting forever', async () => {
  installMongodbWriteGuard();
  expect(await commandOnClosingSocket()).toBe('network error');
});
