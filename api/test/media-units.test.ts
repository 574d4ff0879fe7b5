import sharp from 'sharp';
import { detectImage } from '../src/media/detect';
import { dmsToDecimal, readExifSuggestion } from '../src/media/exif';
import { avifPhoto, heicContainer, phoneJpeg, pngWithMetadata, webpPhoto } from './fixtures/images';

jest.setTimeout(30_000);

async function exifOf(data: Buffer): Promise<Buffer | undefined> {
  return (await sharp(data).metadata()).exif;
}

describe('detectImage reads magic numbers', () => {
  it('knows JPEG, PNG, WebP, AVIF and HEIC by their bytes', async () => {
    const small = { width: 32, height: 24 };
    expect(detectImage(await phoneJpeg(small))).toEqual({ kind: 'jpeg', hevc: false });
    expect(detectImage(await pngWithMetadata(32, 24))).toEqual({ kind: 'png', hevc: false });
    expect(detectImage(await webpPhoto(32, 24))).toEqual({ kind: 'webp', hevc: false });
    expect(detectImage(await avifPhoto(32, 24))).toEqual({ kind: 'heif', hevc: false });
    expect(detectImage(heicContainer())).toEqual({ kind: 'heif', hevc: true });
  });

  it('refuses look-alikes: an MP4 (ftyp isom), a PDF, a RIFF WAV, a BMP, a short file', () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1')]);
    expect(detectImage(mp4)).toBeNull();
    expect(detectImage(Buffer.from('%PDF-1.7\n'))).toBeNull();
    expect(detectImage(Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1'))).toBeNull();
    expect(detectImage(Buffer.from('BM\x36\0\0\0\0\0\0\0', 'latin1'))).toBeNull();
    expect(detectImage(Buffer.from([0xff, 0xd8]))).toBeNull();
  });
});

describe('EXIF location and time suggestion', () => {
  it('converts degrees/minutes/seconds with N/S/E/W to signed decimal degrees', () => {
    expect(dmsToDecimal([30, 35, 35.15], 'N', 90)).toBeCloseTo(30.593097, 6);
    expect(dmsToDecimal([33, 52, 7.68], 'S', 90)).toBeCloseTo(-33.8688, 4);
    expect(dmsToDecimal([70, 40, 9.48], 'W', 180)).toBeCloseTo(-70.6693, 4);
    expect(dmsToDecimal([114, 18.32358, 0], 'E', 180)).toBeCloseTo(114.305393, 6);
  });

  it('rejects impossible coordinates and references', () => {
    expect(dmsToDecimal([91, 0, 0], 'N', 90)).toBeNull();
    expect(dmsToDecimal([30, 0, 0], 'X', 90)).toBeNull();
    expect(dmsToDecimal([Number.NaN, 0, 0], 'N', 90)).toBeNull();
    expect(dmsToDecimal('30,35,35', 'N', 90)).toBeNull();
  });

  it('reads GPS and time from a JPEG, with the photo’s own UTC offset', async () => {
    const data = await phoneJpeg({
      width: 32,
      height: 24,
      exif: { lat: 39.9042, lng: 116.4074, dateTimeOriginal: '2025:01:02 08:00:00', offsetTimeOriginal: '+09:00' },
    });
    expect(readExifSuggestion(await exifOf(data))).toEqual({
      lat: expect.closeTo(39.9042, 4),
      lng: expect.closeTo(116.4074, 4),
      takenAt: '2025-01-01T23:00:00.000Z',
    });
  });

  it('treats 0/0 GPS (no fix) as no location but keeps the time', async () => {
    const data = await phoneJpeg({ width: 32, height: 24, exif: { lat: 0, lng: 0, dateTimeOriginal: '2024:07:01 12:00:00' } });
    expect(readExifSuggestion(await exifOf(data))).toEqual({ lat: null, lng: null, takenAt: '2024-07-01T04:00:00.000Z' });
  });

  it('is null without GPS or time, and for EXIF it cannot parse', async () => {
    const cameraOnly = await phoneJpeg({ width: 32, height: 24, exif: { make: 'OPPO' } });
    expect(readExifSuggestion(await exifOf(cameraOnly))).toBeNull();
    expect(readExifSuggestion(undefined)).toBeNull();
    expect(readExifSuggestion(Buffer.from('Exif\0\0garbage that is not TIFF'))).toBeNull();
  });
});
