import http from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { ERROR_MESSAGES_ZH, type ErrorCode } from '@ssp/shared';

/**
 * Requests Node's HTTP parser refuses (an over-long URL or header block, garbage on
 * the wire, a client too slow to send its headers) never reach Koa; by default Node
 * answers them with a bare status line. Answer them in the API's error envelope.
 */
function answerFor(err: NodeJS.ErrnoException): { status: number; reason: string; code: ErrorCode } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'REQUEST_HEADERS_TOO_LARGE' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'REQUEST_TIMEOUT' };
    default:
      return { status: 400, reason: 'Bad Request', code: 'MALFORMED_REQUEST' };
  }
}

function refuseUnparsableRequest(err: NodeJS.ErrnoException, socket: Duplex, logger?: Logger): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, reason, code } = answerFor(err);
  logger?.info({ status, parserError: err.code }, 'request refused by the HTTP parser');
  const body = JSON.stringify({ error: { code, message: ERROR_MESSAGES_ZH[code] } });
  socket.end(
    [
      `HTTP/1.1 ${status} ${reason}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Content-Type-Options: nosniff',
      'Cache-Control: no-store',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** The HTTP server every entry point (main, tests, fuzz, benchmarks) runs the app in. */
export function createApiServer(app: Koa, logger?: Logger): http.Server {
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => refuseUnparsableRequest(err, socket, logger));
  return server;
}
