import { errorEnvelopeSchema } from '@ssp/shared';
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
