import http from 'node:http';
import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { errorEnvelopeSchema, uploadResultSchema, wgs84ToGcj02, type ErrorCode, type Photo } from '@ssp/shared';
import { signAccessToken, type Principal } from '../src/auth/tokens';
import { ApiError } from '../src/core/errors';
import { photoModel } from '../src/media/model';
import { startTestApi, type TestApi } from './helpers/harness';
import {
  avifPhoto,
  containsBytes,
  heicContainer,
  phoneJpeg,
  pixelFloodPng,
  pngWithMetadata,
  sidewaysJpeg,
  truncate,
  webpPhoto,
} from './fixtures/images';

jest.setTimeout(30_000);

let api: TestApi;
let flood: Buffer;
const alice: Principal = { kind: 'citizen', userId: 'citizen-alice' };
const bob: Principal = { kind: 'citizen', userId: 'citizen-bob' };
const handler: Principal = { kind: 'staff', userId: 'staff-handler', role: 'department', departmentId: 'dept-1' };

beforeAll(async () => {
  api = await startTestApi();
  flood = pixelFloodPng();
});
afterAll(async () => {
  await api.close();
});

interface UploadFile {
  data: Buffer;
  name?: string;
  type?: string;
  field?: string;
}

function token(principal: Principal): string {
  return signAccessToken(api.config.jwtSecret, principal);
}

function form(files: UploadFile[]): FormData {
  const body = new FormData();
  files.forEach((file, i) =>
    body.append(file.field ?? 'photos', new Blob([file.data], { type: file.type ?? 'image/jpeg' }), file.name ?? `photo-${i}.jpg`),
  );
  return body;
}

function upload(files: UploadFile[] | FormData, principal: Principal | null = alice): Promise<Response> {
  return fetch(`${api.url}/media`, {
    method: 'POST',
    headers: principal ? { authorization: `Bearer ${token(principal)}` } : {},
    body: files instanceof FormData ? files : form(files),
  });
}

async function uploaded(res: Response): Promise<Photo[]> {
  const body = await res.json();
  expect(res.status).toBe(201);
  return uploadResultSchema.parse(body).photos;
}

async function expectRefusal(res: Response, status: number, code: ErrorCode, field?: string) {
  const { error } = errorEnvelopeSchema.parse(await res.json());
  expect({ status: res.status, code: error.code }).toEqual({ status, code });
  if (field) expect(error.details?.map((d) => d.field)).toContain(field);
  return error;
}

async function storedFiles(): Promise<string[]> {
  const entries = await readdir(api.config.media.dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** What is stored right now: Photo documents and blob files. */
async function storage() {
  return { photos: await photoModel(api.db).countDocuments(), files: (await storedFiles()).length };
}

/** A GET with the path exactly as written (fetch would normalise `..` and add no-cache to conditionals). */
function rawGet(rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

async function getImage(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${url}`, { headers });
  return { res, data: Buffer.from(await res.arrayBuffer()) };
}

describe('POST /media: accepted photos', () => {
  it('takes JPEG, PNG, WebP and AVIF in one request and answers in upload order with display sizes', async () => {
    const files = [
      { data: await phoneJpeg({ width: 2400, height: 1800, seed: 11 }) },
      { data: await pngWithMetadata(800, 600), type: 'image/png', name: 'a.png' },
      { data: await webpPhoto(500, 1000), type: 'image/webp', name: 'b.webp' },
      { data: await avifPhoto(640, 480), type: 'image/avif', name: 'c.avif' },
    ];
    const photos = await uploaded(await upload(files));

    expect(photos.map((p) => [p.width, p.height])).toEqual([
      [1600, 1200], // downscaled to the 1600 px longest side
      [800, 600], // never upscaled
      [500, 1000],
      [640, 480],
    ]);
    for (const photo of photos) {
      expect(photo.url).toBe(`/media/${photo.id}`);
      expect(photo.thumbUrl).toBe(`/media/${photo.id}/thumb`);
      expect(photo.exif).toBeNull();
    }
    expect(new Set(photos.map((p) => p.id)).size).toBe(4);
    const docs = await photoModel(api.db)
      .find({ _id: { $in: photos.map((p) => p.id) } })
      .lean();
    expect(docs.map((d) => d.sourceFormat).sort()).toEqual(['heif', 'jpeg', 'png', 'webp']);
    expect(docs.every((d) => d.ownerKind === 'citizen' && d.ownerId === alice.userId)).toBe(true);
  });

  it('serves a display JPEG ≤ 1600 px and a thumbnail ≤ 320 px, cacheable forever, with ETag', async () => {
    const [photo] = await uploaded(await upload([{ data: await phoneJpeg({ width: 3000, height: 2000, seed: 12 }) }]));

    const display = await getImage(photo!.url);
    expect(display.res.status).toBe(200);
    expect(display.res.headers.get('content-type')).toBe('image/jpeg');
    expect(display.res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = display.res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const displayMeta = await sharp(display.data).metadata();
    expect([displayMeta.format, displayMeta.width, displayMeta.height]).toEqual(['jpeg', 1600, 1067]);

    const thumb = await getImage(photo!.thumbUrl);
    expect(thumb.res.status).toBe(200);
    expect(thumb.res.headers.get('content-type')).toBe('image/jpeg');
    expect(thumb.res.headers.get('etag')).not.toBe(etag);
    const thumbMeta = await sharp(thumb.data).metadata();
    expect([thumbMeta.format, thumbMeta.width, thumbMeta.height]).toEqual(['jpeg', 320, 213]);

    // fetch() adds Cache-Control: no-cache to conditional requests, so ask as a cache would.
    const again = await rawGet(photo!.url, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('lets staff upload too (department after-photos, campaign images)', async () => {
    const [photo] = await uploaded(await upload([{ data: await phoneJpeg({ width: 640, height: 480, seed: 13 }) }], handler));
    const doc = await photoModel(api.db).findById(photo!.id).lean();
    expect([doc?.ownerKind, doc?.ownerId]).toEqual(['staff', handler.userId]);
  });
});

describe('privacy: EXIF is read as a suggestion, then stripped', () => {
  const wuhan = { lat: 30.593098, lng: 114.305393 };

  it('returns GPS and capture time from a phone JPEG, and stores files without any metadata', async () => {
    const data = await phoneJpeg({
      width: 2000,
      height: 1500,
      seed: 21,
      exif: { ...wuhan, dateTimeOriginal: '2024:05:06 14:30:15', offsetTimeOriginal: '+08:00', make: 'XIAOMI' },
    });
    expect(containsBytes(data, 'Exif')).toBe(true); // the fixture really carries EXIF
    expect(containsBytes(data, 'XIAOMI')).toBe(true);

    const [photo] = await uploaded(await upload([{ data }]));
    // The suggestion is in GCJ-02 like every location in the product; the camera's WGS-84 stays on the record.
    const gcj = wgs84ToGcj02(wuhan);
    expect(photo!.exif).toEqual({
      lat: expect.closeTo(gcj.lat, 5),
      lng: expect.closeTo(gcj.lng, 5),
      takenAt: '2024-05-06T06:30:15.000Z',
    });
    const doc = await photoModel(api.db).findById(photo!.id).lean();
    expect(doc?.exif?.lat).toBeCloseTo(wuhan.lat, 5);

    const files = (await storedFiles()).filter((f) => path.basename(f).startsWith(doc!.blobKey));
    expect(files).toHaveLength(2);
    for (const bytes of [...(await Promise.all(files.map((f) => readFile(f)))), (await getImage(photo!.url)).data]) {
      const meta = await sharp(bytes).metadata();
      expect({ exif: meta.exif, xmp: meta.xmp, icc: meta.icc, iptc: meta.iptc, orientation: meta.orientation }).toEqual({
        exif: undefined,
        xmp: undefined,
        icc: undefined,
        iptc: undefined,
        orientation: undefined,
      });
      for (const marker of ['Exif', 'GPS', 'XIAOMI', 'SN-0123456789', 'http://ns.adobe.com/xap', 'ICC_PROFILE']) {
        expect([marker, containsBytes(bytes, marker)]).toEqual([marker, false]);
      }
    }
  });

  it('reads southern/western coordinates from WebP EXIF and takes EXIF local time as UTC+8 without an offset', async () => {
    const data = await webpPhoto(600, 400, { lat: -33.8688, lng: -70.6693, dateTimeOriginal: '2023:12:31 23:59:59' });
    const [photo] = await uploaded(await upload([{ data, type: 'image/webp' }]));
    expect(photo!.exif).toEqual({
      lat: expect.closeTo(-33.8688, 4),
      lng: expect.closeTo(-70.6693, 4),
      takenAt: '2023-12-31T15:59:59.000Z',
    });
    const { data: stored } = await getImage(photo!.url);
    expect(containsBytes(stored, 'Exif')).toBe(false);
  });

  it('drops the ICC profile, XMP and alpha of a PNG', async () => {
    const data = await pngWithMetadata(300, 200);
    expect(containsBytes(data, 'Zhang San')).toBe(true);
    const [photo] = await uploaded(await upload([{ data, type: 'image/png' }]));
    for (const url of [photo!.url, photo!.thumbUrl]) {
      const { data: stored } = await getImage(url);
      const meta = await sharp(stored).metadata();
      expect([meta.icc, meta.xmp, meta.hasAlpha]).toEqual([undefined, undefined, false]);
      expect(containsBytes(stored, 'Zhang San')).toBe(false);
    }
  });

  it('applies EXIF orientation: a landscape frame tagged 6 comes out portrait, right way up', async () => {
    const [photo] = await uploaded(await upload([{ data: await sidewaysJpeg(1200, 800) }]));
    expect([photo!.width, photo!.height]).toEqual([800, 1200]);
    const { data } = await getImage(photo!.url);
    const { data: pixels, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => {
      const o = (y * info.width + x) * info.channels;
      return [pixels[o]!, pixels[o + 2]!];
    };
    const [topRed, topBlue] = at(400, 200);
    const [bottomRed, bottomBlue] = at(400, 1000);
    expect(topRed).toBeGreaterThan(150);
    expect(topBlue).toBeLessThan(60);
    expect(bottomBlue).toBeGreaterThan(150);
    expect(bottomRed).toBeLessThan(60);
  });
});

describe('storage by content hash', () => {
  it('stores the same photo once, even from two users, with a Photo document each', async () => {
    const data = await phoneJpeg({ width: 1024, height: 768, seed: 31 });
    const before = await storage();
    const [first] = await uploaded(await upload([{ data }], alice));
    const afterFirst = await storage();
    const [second] = await uploaded(await upload([{ data }], bob));
    const [third] = await uploaded(await upload([{ data, name: 'renamed.jpg' }], alice));
    const after = await storage();

    expect(afterFirst).toEqual({ photos: before.photos + 1, files: before.files + 2 });
    expect(after).toEqual({ photos: before.photos + 3, files: before.files + 2 });
    expect(new Set([first!.id, second!.id, third!.id]).size).toBe(3);
    const docs = await photoModel(api.db)
      .find({ _id: { $in: [first!.id, second!.id] } })
      .lean();
    expect(new Set(docs.map((d) => d.blobKey)).size).toBe(1);
    expect(docs.map((d) => d.ownerId).sort()).toEqual([alice.userId, bob.userId]);
  });

  it('names blobs by the SHA-256 of the display JPEG, sharded into subfolders', async () => {
    const [photo] = await uploaded(await upload([{ data: await phoneJpeg({ width: 500, height: 500, seed: 32 }) }]));
    const doc = await photoModel(api.db).findById(photo!.id).lean();
    const files = (await storedFiles()).filter((f) => path.basename(f).startsWith(doc!.blobKey));
    expect(files.map((f) => path.relative(api.config.media.dir, f)).sort()).toEqual([
      path.join(doc!.blobKey.slice(0, 2), doc!.blobKey.slice(2, 4), `${doc!.blobKey}.jpg`),
      path.join(doc!.blobKey.slice(0, 2), doc!.blobKey.slice(2, 4), `${doc!.blobKey}.thumb.jpg`),
    ]);
    const { createHash } = await import('node:crypto');
    const display = await readFile(files.find((f) => f.endsWith(`${doc!.blobKey}.jpg`))!);
    expect(createHash('sha256').update(display).digest('hex')).toBe(doc!.blobKey);
  });
});

describe('POST /media: refused files store nothing', () => {
  const cases: Array<[string, () => Promise<UploadFile[]>, number, ErrorCode, string]> = [
    [
      'a text file renamed .jpg',
      async () => [{ data: Buffer.from('这不是图片 just text\n'.repeat(50)), name: 'x.jpg' }],
      415,
      'UNSUPPORTED_IMAGE',
      'photos[0]',
    ],
    [
      'a truncated JPEG',
      async () => [{ data: truncate(await phoneJpeg({ width: 800, height: 600, seed: 41 }), 0.6) }],
      400,
      'IMAGE_CORRUPT',
      'photos[0]',
    ],
    ['a pixel-flood PNG (30000×30000 in ~100 KB)', async () => [{ data: flood, type: 'image/png' }], 400, 'IMAGE_DIMENSIONS_TOO_LARGE', 'photos[0]'],
    [
      'an HEIC photo this build cannot decode',
      async () => [{ data: heicContainer(), type: 'image/heic', name: 'IMG_0001.HEIC' }],
      415,
      'UNSUPPORTED_IMAGE',
      'photos[0]',
    ],
    ['an empty file', async () => [{ data: Buffer.alloc(0) }], 400, 'IMAGE_CORRUPT', 'photos[0]'],
    [
      'a GIF (not a photo format we take)',
      async () => [
        {
          data: await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
            .gif()
            .toBuffer(),
          type: 'image/gif',
        },
      ],
      415,
      'UNSUPPORTED_IMAGE',
      'photos[0]',
    ],
    [
      'a good photo followed by a bad one',
      async () => [{ data: await phoneJpeg({ width: 640, height: 480, seed: 42 }) }, { data: Buffer.from('%PDF-1.4 not an image') }],
      415,
      'UNSUPPORTED_IMAGE',
      'photos[1]',
    ],
    [
      'ten files',
      async () => {
        const data = await phoneJpeg({ width: 64, height: 64, seed: 44 });
        return Array.from({ length: 10 }, () => ({ data }));
      },
      400,
      'TOO_MANY_FILES',
      'photos',
    ],
    ['a file in another field', async () => [{ data: await phoneJpeg({ width: 64, height: 64 }), field: 'file' }], 400, 'VALIDATION_FAILED', 'file'],
  ];

  it.each(cases)('refuses %s', async (_name, files, status, code, field) => {
    const payload = await files();
    const before = await storage();
    await expectRefusal(await upload(payload), status, code, field);
    expect(await storage()).toEqual(before);
  });

  it('explains the HEIC refusal in Chinese and suggests JPEG', async () => {
    const error = await expectRefusal(await upload([{ data: heicContainer(), type: 'image/heic' }]), 415, 'UNSUPPORTED_IMAGE');
    expect(error.message).toMatch(/HEIC/);
    expect(error.message).toMatch(/JPEG/);
    expect(error.message).toMatch(/兼容/);
  });

  it('names the pixel count of a pixel flood', async () => {
    const error = await expectRefusal(await upload([{ data: flood, type: 'image/png' }]), 400, 'IMAGE_DIMENSIONS_TOO_LARGE');
    expect(error.details?.[0]?.issue).toContain('30000×30000');
  });

  it('never answers 5xx for garbage behind a valid magic number', async () => {
    const garbage = Buffer.alloc(4096, 0x37);
    const magics = [
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]),
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypavif'), Buffer.alloc(4), Buffer.from('mif1avif')]),
    ];
    const before = await storage();
    for (const magic of magics) {
      const res = await upload([{ data: Buffer.concat([magic, garbage]) }]);
      const { error } = errorEnvelopeSchema.parse(await res.json());
      expect([res.status, error.code]).toEqual([expect.any(Number), expect.stringMatching(/^(IMAGE_CORRUPT|UNSUPPORTED_IMAGE)$/)]);
      expect(res.status === 400 || res.status === 415).toBe(true);
    }
    expect(await storage()).toEqual(before);
  });

  it('refuses a request with no file', async () => {
    const body = new FormData();
    body.append('note', 'no photo here');
    await expectRefusal(await upload(body), 400, 'NO_FILES', 'photos');
  });

  it('refuses a body that is not multipart with 415', async () => {
    const res = await fetch(`${api.url}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(alice)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ photos: ['x'] }),
    });
    await expectRefusal(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses multipart without a boundary, and a malformed multipart body', async () => {
    const noBoundary = await fetch(`${api.url}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(alice)}`, 'content-type': 'multipart/form-data' },
      body: 'whatever',
    });
    await expectRefusal(noBoundary, 415, 'UNSUPPORTED_MEDIA_TYPE');

    const cutOff = await fetch(`${api.url}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(alice)}`, 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: '--XyZ\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff',
    });
    await expectRefusal(cutOff, 400, 'VALIDATION_FAILED', 'photos');
  });

  it('refuses thousands of tiny parts early', async () => {
    const body = new FormData();
    for (let i = 0; i < 5000; i++) body.append(`f${i}`, 'x');
    await expectRefusal(await upload(body), 400, 'VALIDATION_FAILED', 'photos');
  });

  it('refuses anonymous uploads with 401 and stores nothing', async () => {
    const before = await storage();
    await expectRefusal(await upload([{ data: await phoneJpeg({ width: 64, height: 64, seed: 43 }) }], null), 401, 'UNAUTHENTICATED');
    expect(await storage()).toEqual(before);
  });
});

describe('GET /media/:id', () => {
  it.each([
    '/media/..%2F..%2F..%2Fetc%2Fpasswd',
    '/media/..%2f..%2fpackage.json/thumb',
    '/media/%2e%2e',
    '/media/AAAAAAAAAAAAAAAAAAAA%00',
    '/media/AAAAAAAAAAAAAAAAAAAAAA%00/thumb',
    '/media/../../etc/passwd',
    '/media/..\\..\\etc\\passwd',
    '/media/AAAAAAAAAAAAAAAAAAAAAA',
    '/media/AAAAAAAAAAAAAAAAAAAAAA/thumb',
    '/media/not-a-photo',
  ])('answers 404 NOT_FOUND for %s', async (rawPath) => {
    const res = await rawGet(rawPath);
    expect(res.status).toBe(404);
    expect(errorEnvelopeSchema.parse(JSON.parse(res.body)).error.code).toBe('NOT_FOUND');
  });

  it('serves photos without auth (capability URL)', async () => {
    const [photo] = await uploaded(await upload([{ data: await phoneJpeg({ width: 320, height: 240, seed: 51 }) }]));
    const { res } = await getImage(photo!.thumbUrl);
    expect(res.status).toBe(200);
    expect(photo!.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('MediaService for other domains', () => {
  let alicePhotos: Photo[];
  let bobPhoto: Photo;
  beforeAll(async () => {
    alicePhotos = await uploaded(
      await upload([
        { data: await phoneJpeg({ width: 300, height: 200, seed: 61 }) },
        { data: await phoneJpeg({ width: 300, height: 200, seed: 62 }) },
      ]),
    );
    [bobPhoto] = (await uploaded(await upload([{ data: await phoneJpeg({ width: 300, height: 200, seed: 63 }) }], bob))) as [Photo];
  });

  it('requireOwnedPhotos returns the owner’s photos in the order asked', async () => {
    const ids = [alicePhotos[1]!.id, alicePhotos[0]!.id];
    const docs = await api.services.media.requireOwnedPhotos(ids, { kind: 'citizen', id: alice.userId });
    expect(docs.map((d) => d._id)).toEqual(ids);
  });

  it('requireOwnedPhotos names every id that is unknown or someone else’s', async () => {
    const ids = [alicePhotos[0]!.id, bobPhoto.id, 'AAAAAAAAAAAAAAAAAAAAAA', '../etc'];
    const err = await api.services.media.requireOwnedPhotos(ids, { kind: 'citizen', id: alice.userId }, 'afterPhotoIds').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect([apiErr.status, apiErr.code]).toEqual([400, 'PHOTO_NOT_FOUND']);
    expect(apiErr.details?.map((d) => d.field)).toEqual(['afterPhotoIds[1]', 'afterPhotoIds[2]', 'afterPhotoIds[3]']);
  });

  it('requireOwnedPhotos tells a staff member apart from a citizen with the same user id', async () => {
    await expect(api.services.media.requireOwnedPhotos([alicePhotos[0]!.id], { kind: 'staff', id: alice.userId })).rejects.toMatchObject({
      code: 'PHOTO_NOT_FOUND',
      details: [{ field: 'photoIds[0]' }],
    });
  });

  it('getPhotos returns what exists, in order; photoUrls builds the URLs', async () => {
    const docs = await api.services.media.getPhotos([bobPhoto.id, 'AAAAAAAAAAAAAAAAAAAAAA', alicePhotos[0]!.id]);
    expect(docs.map((d) => d._id)).toEqual([bobPhoto.id, alicePhotos[0]!.id]);
    expect(api.services.media.photoUrls(bobPhoto.id)).toEqual({ url: bobPhoto.url, thumbUrl: bobPhoto.thumbUrl });
  });
});
