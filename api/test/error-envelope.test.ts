import net from 'node:net';
import { once } from 'node:events';
import Koa from 'koa';
import { mongo } from 'mongoose';
import { errorEnvelopeSchema } from '@ssp/shared';
import { errorMiddleware } from '../src/core/error-middleware';
import { startTestApi, type TestApi } from './helpers/harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ env: { JSON_BODY_LIMIT_BYTES: '2048' } });
});
afterAll(async () => {
  await api.close();
});

async function envelope(res: Response) {
  const body = errorEnvelopeSchema.parse(await res.json());
  return body.error;
}

describe('error envelope', () => {
  it('answers unknown routes with 404 NOT_FOUND', async () => {
    const res = await fetch(`${api.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect((await envelope(res)).code).toBe('NOT_FOUND');
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await fetch(`${api.url}/healthz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(res.status).toBe(400);
    expect((await envelope(res)).code).toBe('MALFORMED_JSON');
  });

  it('answers an over-size body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${api.url}/healthz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect((await envelope(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${api.url}/healthz`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expect((await envelope(res)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('sets security headers and the request id on errors too', async () => {
    const res = await fetch(`${api.url}/missing`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    await res.arrayBuffer();
  });
});

describe('a connection lost under a socket write', () => {
  /** The error Node gives a write that waits for 'drain' on a socket the other side closed (what the driver passes on raw). */
  async function realSocketWriteError(): Promise<NodeJS.ErrnoException> {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    try {
      for (;;) {
        // Large writes until the socket buffers, then wait for it to drain as the driver does.
        if (!socket.write(Buffer.alloc(1 << 20))) await once(socket, 'drain');
      }
    } catch (err) {
      return err as NodeJS.ErrnoException;
    } finally {
      socket.destroy();
      server.close();
    }
  }

  /** The status and error code a route that throws `err` answers with. */
  async function answerTo(err: Error): Promise<{ status: number; retryAfter: string | null; code: string }> {
    const app = new Koa();
    app.use(errorMiddleware());
    app.use(() => {
      throw err;
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/reports`, { method: 'POST' });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), code: (await envelope(res)).code };
    } finally {
      server.close();
    }
  }

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, not 500', async () => {
    const socketError = await realSocketWriteError();
    expect(['EPIPE', 'ECONNRESET']).toContain(socketError.code);
    expect(await answerTo(socketError)).toEqual({ status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' });
  });

  it('answers 503 for a bulk write stopped by a lost connection (the driver wraps its network error)', async () => {
    const stopped = new mongo.MongoBulkWriteError(new mongo.MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'), {} as never);
    expect(await answerTo(stopped)).toEqual({ status: 503, retryAfter: '5', code: 'SERVICE_UNAVAILABLE' });
    // A write the server refused is not an outage.
    const refused = new mongo.MongoBulkWriteError({ message: 'Document failed validation', code: 121, writeErrors: [] } as never, {} as never);
    expect((await answerTo(refused)).status).toBe(500);
  });
});
