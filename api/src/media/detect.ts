/** Image containers we accept, told apart by their leading bytes (never by name or declared type). */
export type ImageKind = 'jpeg' | 'png' | 'webp' | 'heif';

export interface DetectedImage {
  kind: ImageKind;
  /** For HEIF: whether the brand says HEVC-coded (HEIC), which many decoder builds lack. */
  hevc: boolean;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** HEVC-coded HEIF brands (iPhone and most Android "high efficiency" photos). */
const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
/** Generic HEIF and AV1 (AVIF) brands: the coding is only known once decoded. */
const OTHER_HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'avif', 'avis']);

function ascii(data: Buffer, start: number, end: number): string {
  return data.toString('latin1', start, end);
}

/** ISO-BMFF `ftyp` box: major brand at 8, compatible brands from 16 to the box end. */
function detectHeif(data: Buffer): DetectedImage | null {
  if (data.length < 16 || ascii(data, 4, 8) !== 'ftyp') return null;
  const boxSize = Math.min(data.readUInt32BE(0), data.length);
  if (boxSize < 16) return null;
  const brands = [ascii(data, 8, 12)];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(ascii(data, offset, offset + 4));
  const hevc = brands.some((brand) => HEVC_BRANDS.has(brand));
  if (!hevc && !brands.some((brand) => OTHER_HEIF_BRANDS.has(brand))) return null;
  return { kind: 'heif', hevc };
}

/** Reads the magic numbers; null for anything that is not a JPEG, PNG, WebP or HEIF image. */
export function detectImage(data: Buffer): DetectedImage | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return { kind: 'jpeg', hevc: false };
  if (data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE)) return { kind: 'png', hevc: false };
  if (data.length >= 12 && ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WEBP') return { kind: 'webp', hevc: false };
  return detectHeif(data);
}
