import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback SMS gateway speaking the protocol api/src/auth/sms.ts documents
 * (POST /sms/send {phone, template, params}, bearer key), with a provider's own limit:
 * one message per number a minute, else {"ok":false,"error":"rate_limited"} (HTTP 429), and ten per
 * number a day, else {"ok":false,"error":"day_limit"} (HTTP 429).
 */
export async function startFakeSmsGateway(key: string) {
  const sent: { phone: string; template: string; code: string; at: number }[] = [];
  let down = false;
  // Accepted sends per number since the fake's "day" began (newDay() starts another).
  const today = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (down) return answer(503, { ok: false, error: 'maintenance' });
    if (req.method !== 'POST' || req.url !== '/sms/send') return answer(404, { ok: false, error: 'not_found' });
    if (req.headers.authorization !== `Bearer ${key}`) return answer(401, { ok: false, error: 'bad_key' });
    let body: { phone?: string; template?: string; params?: { code?: string } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return answer(400, { ok: false, error: 'bad_json' });
    }
    if (!/^1\d{10}$/.test(body.phone ?? '') || !body.params?.code) return answer(400, { ok: false, error: 'bad_request' });
    const last = sent.filter((s) => s.phone === body.phone).at(-1);
    if (last && Date.now() - last.at < 60_000) return answer(429, { ok: false, error: 'rate_limited' });
    if ((today.get(body.phone!) ?? 0) >= 10) return answer(429, { ok: false, error: 'day_limit' });
    today.set(body.phone!, (today.get(body.phone!) ?? 0) + 1);
    sent.push({ phone: body.phone!, template: body.template ?? '', code: body.params.code, at: Date.now() });
    answer(200, { ok: true, id: `msg-${sent.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    /** The last code sent to a number. */
    codeFor: (phone: string) => sent.filter((s) => s.phone === phone).at(-1)?.code,
    setDown: (v: boolean) => (down = v),
    /** Forgets the provider's per-number minute (the clock of these tests moves faster than its own). */
    forgetRecent: () => sent.forEach((s) => (s.at = 0)),
    /** The provider's day ends: its per-number daily count starts again. */
    newDay: () => today.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
