import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ErrorCode, ExifSuggestion } from '@ssp/shared';
import { ApiError } from '../core/errors';
import { detectImage, type DetectedImage, type ImageKind } from './detect';
import { readExifSuggestion } from './exif';

export const DISPLAY_MAX_SIDE = 1600;
export const THUMB_MAX_SIDE = 320;
const DISPLAY_QUALITY = 82;
const THUMB_QUALITY = 75;
/** mozjpeg (in sharp's prebuilt binaries) gives ~30% smaller files than libjpeg-turbo at the same quality. */
const MOZJPEG = Boolean(sharp.versions.mozjpeg);

/** libheif in this sharp build may lack an HEVC decoder; its registered suffixes say so at runtime. */
const HEIC_DECODABLE = (sharp.format.heif?.input.fileSuffix ?? []).includes('.heic');

const HEIC_MESSAGE = '暂不支持 HEIC 格式照片，请在相机设置中选择“兼容性最佳”（JPEG）格式，或转换为 JPEG 后重新上传';

export interface RenderedImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface ProcessedImage {
  sourceKind: ImageKind;
  /** SHA-256 (hex) of the display JPEG: names both stored blobs. */
  hash: string;
  display: RenderedImage;
  thumb: RenderedImage;
  /** Read before the metadata was stripped; never stored in the image files. */
  exif: ExifSuggestion | null;
}

export interface ImageLimits {
  maxInputPixels: number;
}

function refusal(status: number, code: ErrorCode, field: string, issue: string, message?: string): ApiError {
  return new ApiError(status, code, message, [{ field, issue }]);
}

/** Turns a libvips failure into the 4xx it deserves; a photo never causes a 5xx. */
function decodeFailure(err: unknown, detected: DetectedImage, field: string): ApiError {
  const message = (err as Error)?.message ?? '';
  if (/pixel limit/i.test(message)) {
    return refusal(400, 'IMAGE_DIMENSIONS_TOO_LARGE', field, '图片像素超过上限');
  }
  if (detected.kind === 'heif') {
    return refusal(415, 'UNSUPPORTED_IMAGE', field, '无法解码该 HEIF/HEIC 图片', HEIC_MESSAGE);
  }
  return refusal(400, 'IMAGE_CORRUPT', field, '图片数据损坏或不完整');
}

async function render(pipeline: sharp.Sharp, maxSide: number, quality: number): Promise<RenderedImage> {
  const { data, info } = await pipeline
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: MOZJPEG })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Checks and converts one uploaded photo: type from magic numbers, dimensions from the
 * header before any pixel is decoded, EXIF suggestion read, then auto-rotated and
 * re-encoded as metadata-free JPEGs (display ≤ 1600 px, thumbnail ≤ 320 px, never upscaled).
 * Refusals are ApiErrors whose detail names `field`.
 */
export async function processImage(data: Buffer, limits: ImageLimits, field = 'photo'): Promise<ProcessedImage> {
  if (data.length === 0) throw refusal(400, 'IMAGE_CORRUPT', field, '文件为空');
  const detected = detectImage(data);
  if (!detected) throw refusal(415, 'UNSUPPORTED_IMAGE', field, '文件内容不是 JPEG、PNG、WebP 或 HEIF 图片');
  if (detected.hevc && !HEIC_DECODABLE) {
    throw refusal(415, 'UNSUPPORTED_IMAGE', field, '服务器暂不能解码 HEIC 图片', HEIC_MESSAGE);
  }

  // Header only (no pixel is decoded here), read without sharp's own pixel limit so the
  // refusal can say how large the image claims to be.
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (err) {
    throw decodeFailure(err, detected, field);
  }
  // sharp sniffs on its own; it must see the same container (our kinds are sharp's format names).
  if (meta.format !== detected.kind) {
    throw refusal(415, 'UNSUPPORTED_IMAGE', field, '文件内容与图片格式不符');
  }
  if (!meta.width || !meta.height) throw refusal(400, 'IMAGE_CORRUPT', field, '无法读取图片尺寸');
  if (meta.width * meta.height > limits.maxInputPixels) {
    throw refusal(400, 'IMAGE_DIMENSIONS_TOO_LARGE', field, `图片为 ${meta.width}×${meta.height} 像素，超过 ${limits.maxInputPixels} 像素上限`);
  }
  const exif = readExifSuggestion(meta.exif);

  try {
    // sharp writes no EXIF, XMP, IPTC or ICC unless asked (keepMetadata/withMetadata): output is stripped.
    const input = sharp(data, { failOn: 'error', limitInputPixels: limits.maxInputPixels, sequentialRead: true });
    const display = await render(input.autoOrient(), DISPLAY_MAX_SIDE, DISPLAY_QUALITY);
    const thumb = await render(sharp(display.data), THUMB_MAX_SIDE, THUMB_QUALITY);
    const hash = createHash('sha256').update(display.data).digest('hex');
    return { sourceKind: detected.kind, hash, display, thumb, exif };
  } catch (err) {
    throw decodeFailure(err, detected, field);
  }
}
