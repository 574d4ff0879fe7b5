import http from 'node:http';
import { readdir } from 'node:fs/promises';
import { errorEnvelopeSchema } from '@ssp/shared';
import { signAccessToken } from '../src/auth/tokens';
import { maxUploadBytes } from '../src/media/multipart';
import { photoModel } from '../src/media/model';
import { startTestApi, type TestApi } from './helpers/harness';
import { phoneJpeg } from './fixtures/images';

jest.setTimeout(30_000);

const MAX_FILE_BYTES = 50_000;
const MAX_FILES = 3;

let api: TestApi;
let auth: string;
let small: Buffer;
let oversize: Buffer;

beforeAll(async () => {
  api = await startTestApi({ env: { UPLOAD_MAX_FILE_BYTES: String(MAX_FILE_BYTES), UPLOAD_MAX_FILES: String(MAX_FILES) } });
  auth = `Bearer ${signAccessToken(api.config.jwtSecret, { kind: 'citizen', userId: 'citizen-limits' })}`;
  small = await phoneJpeg({ width: 120, height: 90, seed: 1 });
  oversize = await phoneJpeg({ width: 450, height: 450, seed: 2 });
});
afterAll(async () => {
  await api.close();
});

function form(files: Buffer[]): FormData {
  const body = new FormData();
  files.forEach((data, i) => body.append('photos', new Blob([data], { type: 'image/jpeg' }), `p${i}.jpg`));
  return body;
}

function upload(body: FormData): Promise<Response> {
  return fetch(`${api.url}/media`, { method: 'POST', headers: { authorization: auth }, body });
}

async function storage() {
  const files = (await readdir(api.config.media.dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  return { photos: await photoModel(api.db).countDocuments(), files: files.length };
}

async function refusal(res: Response) {
  const { error } = errorEnvelopeSchema.parse(await res.json());
  return { status: res.status, code: error.code, fields: error.details?.map((d) => d.field) ?? [], message: error.message };
}

/** A raw request whose body is sent in chunks without Content-Length (as a streaming client would). */
function chunkedPost(contentType: string, chunks: Buffer[]): Promise<{ status: number; body: string; connection?: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = http.request(
      { host: '127.0.0.1', port, path: '/media', method: 'POST', headers: { authorization: auth, 'content-type': contentType } },
      (res) => {
        responded = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      },
    );
    // Once the refusal has arrived the server may close while we still write; that is the point.
    req.on('error', (err) => (responded ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('upload limits from the configuration', () => {
  it('the fixtures straddle the per-file limit', () => {
    expect(small.length).toBeLessThan(MAX_FILE_BYTES);
    expect(oversize.length).toBeGreaterThan(MAX_FILE_BYTES);
    expect(oversize.length * 2).toBeLessThan(maxUploadBytes(api.config.upload));
  });

  it('accepts files under the limit', async () => {
    const res = await upload(form([small, small]));
    expect(res.status).toBe(201);
    await res.arrayBuffer();
  });

  it('refuses an over-size file with 413 FILE_TOO_LARGE naming it, and stores nothing', async () => {
    const before = await storage();
    expect(await refusal(await upload(form([oversize])))).toMatchObject({ status: 413, code: 'FILE_TOO_LARGE', fields: ['photos[0]'] });
    expect(await refusal(await upload(form([small, oversize])))).toMatchObject({ status: 413, code: 'FILE_TOO_LARGE', fields: ['photos[1]'] });
    expect(await storage()).toEqual(before);
  });

  it('refuses a file far over the limit cleanly while the client is still sending', async () => {
    const huge = Buffer.concat([oversize, Buffer.alloc(4 * 1024 * 1024, 0x11)]);
    const before = await storage();
    const res = await chunkedPost(`multipart/form-data; boundary=B0UNDARY`, [
      Buffer.from('--B0UNDARY\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
      ...Array.from({ length: 64 }, (_, i) => huge.subarray((i * huge.length) / 64, ((i + 1) * huge.length) / 64)),
      Buffer.from('\r\n--B0UNDARY--\r\n'),
    ]);
    expect(res.status).toBe(413);
    expect(errorEnvelopeSchema.parse(JSON.parse(res.body)).error.code).toBe('FILE_TOO_LARGE');
    expect(res.connection).toBe('close'); // the unread rest is not drained
    expect(await storage()).toEqual(before);
  });

  it('refuses more files than configured with the configured count in the message', async () => {
    const result = await refusal(await upload(form([small, small, small, small])));
    expect(result).toMatchObject({ status: 400, code: 'TOO_MANY_FILES', fields: ['photos'] });
    expect(result.message).toContain(String(MAX_FILES));
  });

  it('refuses a declared body larger than files × limit + overhead before reading any of it', async () => {
    // Only the headers are sent: an answer can only come from the declared length.
    const { port } = new URL(api.url);
    const declared = maxUploadBytes(api.config.upload) + 1;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/media',
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'multipart/form-data; boundary=B0UNDARY', 'content-length': declared },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(errorEnvelopeSchema.parse(JSON.parse(answer.body)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('counts a streamed body without Content-Length too (e.g. a huge ignored preamble)', async () => {
    const preamble = Buffer.alloc(maxUploadBytes(api.config.upload) + 1024, 0x61);
    const res = await chunkedPost('multipart/form-data; boundary=B0UNDARY', [
      preamble,
      Buffer.from('\r\n--B0UNDARY\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n\r\n'),
      small,
      Buffer.from('\r\n--B0UNDARY--\r\n'),
    ]);
    expect(res.status).toBe(413);
    expect(errorEnvelopeSchema.parse(JSON.parse(res.body)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
