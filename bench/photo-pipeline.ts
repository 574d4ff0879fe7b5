/**
 * Photo pipeline benchmark: our processImage (sharp) against Debian's vipsthumbnail on
 * the same 12-megapixel phone-like JPEG, producing the same 1600 px display and 320 px
 * thumbnail. Prints per-photo wall time (median, p95) and peak memory.
 *
 *   npx tsx bench/photo-pipeline.ts [runs]      (or: npm run bench:photos)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// Run straight from the sources: point '@ssp/shared' at shared/src (its dist/ may be unbuilt).
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = (request, ...rest) =>
  resolveFilename(request === '@ssp/shared' ? path.resolve(__dirname, '..', 'shared', 'src', 'index.ts') : request, ...rest);

const RUNS = Math.max(1, Number(process.argv[2] ?? 10) || 10);
const WIDTH = 4000;
const HEIGHT = 3000;
const MAX_INPUT_PIXELS = 100_000_000;
const VIPSTHUMBNAIL = '/usr/bin/vipsthumbnail';
const GNU_TIME = '/usr/bin/time';

interface Row {
  name: string;
  times: number[];
  peakRss: string;
  display: number;
  thumb: number;
  note?: string;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Samples this process's RSS every few ms while `work` runs (sharp works off the main thread). */
async function withRssSampling<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a command, under GNU time -v when present to learn its peak RSS. */
function run(command: string, args: string[]): { ms: number; maxRssKb: number | null } {
  const timed = existsSync(GNU_TIME);
  const started = process.hrtime.bigint();
  const child = timed ? spawnSync(GNU_TIME, ['-v', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${command} failed: ${child.stderr}`);
  const rss = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] : undefined;
  return { ms, maxRssKb: rss ? Number(rss) : null };
}

async function main(): Promise<void> {
  const sharp = (await import('sharp')).default;
  const { processImage, DISPLAY_MAX_SIDE, THUMB_MAX_SIDE } = await import('../api/src/media/image');
  const { phoneJpeg } = await import('../api/test/fixtures/images');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'ssp-bench-photos-'));
  try {
    const input = await phoneJpeg({
      width: WIDTH,
      height: HEIGHT,
      quality: 92,
      exif: { lat: 30.593098, lng: 114.305393, dateTimeOriginal: '2025:03:14 09:26:53', offsetTimeOriginal: '+08:00' },
    });
    const inputFile = path.join(dir, 'IMG_20250314_092653.jpg');
    writeFileSync(inputFile, input);

    console.log(`Photo pipeline benchmark: ${WIDTH}×${HEIGHT} JPEG with EXIF, ${mb(input.length)}, ${RUNS} runs each after 1 warm-up`);
    console.log(
      `node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, mozjpeg ${sharp.versions.mozjpeg ? 'yes' : 'no'}), ` +
        `sharp.concurrency()=${sharp.concurrency()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()})`,
    );

    const rows: Row[] = [];

    // 1. Ours: processImage (header check, EXIF read, auto-rotate, strip, mozjpeg display + thumbnail, SHA-256).
    const limits = { maxInputPixels: MAX_INPUT_PIXELS };
    const warm = await processImage(input, limits);
    const baseline = process.memoryUsage.rss();
    const times: number[] = [];
    let peak = baseline;
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      const sampled = await withRssSampling(() => processImage(input, limits));
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      peak = Math.max(peak, sampled.peak);
    }
    const cache = sharp.cache();
    rows.push({
      name: 'processImage (sharp, mozjpeg q82/q75)',
      times,
      peakRss: `+${mb(peak - baseline)} over ${mb(baseline)}`,
      display: warm.display.data.length,
      thumb: warm.thumb.data.length,
      note: `sharp cache high-water ${cache.memory.high} MB (limit ${cache.memory.max} MB); process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
    });
    console.log(`EXIF suggestion read before stripping: ${JSON.stringify(warm.exif)}`);

    // 2. Reference: the same sharp operations with plain libjpeg-turbo encoding (no mozjpeg), to show what mozjpeg costs.
    const plain = async () => {
      const display = await sharp(input, { failOn: 'error', sequentialRead: true })
        .autoOrient()
        .resize({ width: DISPLAY_MAX_SIDE, height: DISPLAY_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 82 })
        .toBuffer();
      const thumb = await sharp(display).resize({ width: THUMB_MAX_SIDE, height: THUMB_MAX_SIDE, fit: 'inside' }).jpeg({ quality: 75 }).toBuffer();
      return { display, thumb };
    };
    const plainWarm = await plain();
    const plainTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      await plain();
      plainTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    rows.push({
      name: 'sharp, same ops, libjpeg-turbo q82/q75',
      times: plainTimes,
      peakRss: '(same process)',
      display: plainWarm.display.length,
      thumb: plainWarm.thumb.length,
    });

    // 3. vipsthumbnail (Debian libvips-tools): display from the original, thumbnail from the display, like ours.
    if (existsSync(VIPSTHUMBNAIL)) {
      const display = path.join(dir, 'display.jpg');
      const thumb = path.join(dir, 'thumb.jpg');
      const once = () => {
        const a = run(VIPSTHUMBNAIL, [inputFile, '-s', String(DISPLAY_MAX_SIDE), '-o', `${display}[Q=82,strip,optimize_coding]`]);
        const b = run(VIPSTHUMBNAIL, [display, '-s', String(THUMB_MAX_SIDE), '-o', `${thumb}[Q=75,strip,optimize_coding]`]);
        return { ms: a.ms + b.ms, maxRssKb: a.maxRssKb === null || b.maxRssKb === null ? null : Math.max(a.maxRssKb, b.maxRssKb) };
      };
      once();
      const vipsTimes: number[] = [];
      let vipsPeakKb: number | null = 0;
      for (let i = 0; i < RUNS; i++) {
        const result = once();
        vipsTimes.push(result.ms);
        vipsPeakKb = result.maxRssKb === null || vipsPeakKb === null ? null : Math.max(vipsPeakKb, result.maxRssKb);
      }
      const version = spawnSync(VIPSTHUMBNAIL, ['--vips-version'], { encoding: 'utf8' }).stdout.trim();
      rows.push({
        name: `vipsthumbnail ×2 (${version}), Q82/Q75 strip`,
        times: vipsTimes,
        peakRss: vipsPeakKb === null ? `n/a (no ${GNU_TIME})` : `${mb(vipsPeakKb * 1024)} (child)`,
        display: statSync(display).size,
        thumb: statSync(thumb).size,
        note: 'wall time includes two process start-ups',
      });
    } else {
      console.log(`NOTE: ${VIPSTHUMBNAIL} not found (Debian: apt-get install libvips-tools); comparison skipped.`);
    }

    const header = ['pipeline', 'median ms', 'p95 ms', 'peak RSS', 'display', 'thumb'];
    const table = rows.map((row) => [
      row.name,
      percentile(row.times, 50).toFixed(0),
      percentile(row.times, 95).toFixed(0),
      row.peakRss,
      `${(row.display / 1024).toFixed(0)} KB`,
      `${(row.thumb / 1024).toFixed(1)} KB`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log();
    console.log(line(header));
    console.log(line(widths.map((w) => '-'.repeat(w))));
    for (const cells of table) console.log(line(cells));
    console.log();
    for (const row of rows) if (row.note) console.log(`${row.name}: ${row.note}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
