/**
 * A fake external official platform (12345 hotline, a city's 数字城管 platform) on a
 * real loopback port. It speaks docs/forwarding-protocol.md with its own code (not the
 * API's), as a real receiver would: checks the signature, dedupes by Idempotency-Key,
 * answers with its own case id, and sends signed status callbacks.
 *
 *   const platform = await startFakePlatform({ secret });
 *   platform.url                  // the endpoint to put in forwarding.json
 *   platform.failNext(3)          // the next 3 requests answer 503 without processing
 *   platform.hangNext(1)          // the next request never gets an answer
 *   platform.loseNext(2, 'destroy') // process the next 2, then lose the answer (503 | destroy | hang)
 *   platform.refuseAll(400)       // answer 400 to everything until acceptAll()
 *   await platform.down(); await platform.up()   // connections refused meanwhile, same port after
 *   platform.accepted             // distinct cases by Idempotency-Key; platform.deliveries: every raw request
 *   await sendCallback(api.url, body, { secret, targetId })
 */
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export type LostAnswer = 'status503' | 'destroy' | 'hang';
type Script = { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'lose'; how: LostAnswer };

export interface RawDelivery {
  idempotencyKey: string | null;
  timestamp: string | null;
  signatureValid: boolean;
  contentType: string | null;
  body: any;
  /** What the fake did: 'accepted', 'replayed' (known key), 'http 503', 'hang', 'lost:destroy'… */
  outcome: string;
}

export interface AcceptedCase {
  externalId: string;
  body: any;
  /** How many requests carried this key. */
  deliveries: number;
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

function signatureValid(secret: string, timestamp: string | null, body: string, header: string | null): boolean {
  if (!timestamp || !header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  const expected = Buffer.from(hmacHex(secret, `${timestamp}.${body}`), 'hex');
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}

export async function startFakePlatform(options: { secret: string; path?: string }) {
  const path = options.path ?? '/api/cases';
  const scripts: Script[] = [];
  const accepted = new Map<string, AcceptedCase>();
  const deliveries: RawDelivery[] = [];
  let refuseStatus: number | null = null;
  let counter = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? null;
      const record: RawDelivery = {
        idempotencyKey: header('Idempotency-Key'),
        timestamp: header('X-SSP-Timestamp'),
        signatureValid: signatureValid(options.secret, header('X-SSP-Timestamp'), text, header('X-SSP-Signature')),
        contentType: header('Content-Type'),
        body: (() => {
          try {
            return JSON.parse(text);
          } catch {
            return text;
          }
        })(),
        outcome: '',
      };
      deliveries.push(record);
      const answer = (status: number, body: unknown) => {
        record.outcome ||= status === 200 ? 'accepted' : `http ${status}`;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };

      if (req.method !== 'POST' || req.url !== path) return answer(404, { error: 'not found' });
      const script = scripts.shift();
      if (script?.kind === 'status') return answer(script.status, { error: 'unavailable' });
      if (script?.kind === 'hang') {
        record.outcome = 'hang';
        return;
      }
      if (refuseStatus !== null) return answer(refuseStatus, { error: 'rejected: category not handled here' });
      if (!record.signatureValid) return answer(401, { error: 'bad signature' });
      if (!record.idempotencyKey || !record.contentType?.startsWith('application/json')) return answer(400, { error: 'bad request' });

      // A real receiver dedupes on the key: a replay gets the first answer, nothing is stored twice.
      let stored = accepted.get(record.idempotencyKey);
      if (stored) {
        stored.deliveries += 1;
        record.outcome = 'replayed';
      } else {
        counter += 1;
        stored = { externalId: `EXT-${String(counter).padStart(6, '0')}`, body: record.body, deliveries: 1 };
        accepted.set(record.idempotencyKey, stored);
      }
      if (script?.kind === 'lose') {
        record.outcome = `lost:${script.how}`;
        if (script.how === 'status503') return res.writeHead(503).end();
        if (script.how === 'destroy') return req.socket.destroy();
        return; // hang
      }
      answer(200, { externalId: stored.externalId, received: true });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `http://127.0.0.1:${port}${path}`,
    /** Every request, in order, including refused and lost ones. */
    deliveries,
    /** Distinct cases by Idempotency-Key. */
    accepted,
    failNext(count: number, status = 503) {
      for (let i = 0; i < count; i += 1) scripts.push({ kind: 'status', status });
    },
    hangNext(count: number) {
      for (let i = 0; i < count; i += 1) scripts.push({ kind: 'hang' });
    },
    /** Stores the next requests' cases, then loses the answer on the way back. */
    loseNext(count: number, how: LostAnswer = 'status503') {
      for (let i = 0; i < count; i += 1) scripts.push({ kind: 'lose', how });
    },
    refuseAll(status = 400) {
      refuseStatus = status;
    },
    acceptAll() {
      refuseStatus = null;
    },
    /** Stops listening: connections are refused until up(). */
    async down(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up(): Promise<void> {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakePlatform = Awaited<ReturnType<typeof startFakePlatform>>;

export interface CallbackOptions {
  secret: string;
  targetId: string;
  /** Unix seconds; default the real time. */
  timestamp?: number;
  /** Overrides the computed signature; null sends none. */
  signature?: string | null;
}

/** Sends a signed status callback to the API the way the platform would. */
export async function sendCallback(apiUrl: string, body: unknown, options: CallbackOptions) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = options.signature === undefined ? `sha256=${hmacHex(options.secret, `${timestamp}.${raw}`)}` : options.signature;
  const res = await fetch(`${apiUrl}/forwarding/callback`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'X-SSP-Target': options.targetId,
      'X-SSP-Timestamp': timestamp,
      ...(signature === null ? {} : { 'X-SSP-Signature': signature }),
    },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}
