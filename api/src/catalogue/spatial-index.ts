import { polygonsContain, type BBox, type FlatPolygon } from './geometry';

export interface SpatialEntry<T> {
  polygons: FlatPolygon[];
  bbox: BBox;
  value: T;
}

/**
 * Point → polygon lookup over many grids: a uniform bucket grid over the extent
 * (about one bucket per entry), each bucket listing the entries whose bounding box
 * overlaps it, then bounding-box and point-in-polygon tests on those few.
 * Entries are tried in the order given, so where polygons touch or overlap the
 * earliest entry wins (callers sort by grid id to make that deterministic).
 */
export class SpatialIndex<T> {
  private constructor(
    private readonly entries: SpatialEntry<T>[],
    private readonly extent: BBox,
    private readonly cols: number,
    private readonly rows: number,
    private readonly offsets: Int32Array,
    private readonly items: Int32Array,
  ) {}

  static build<T>(entries: SpatialEntry<T>[]): SpatialIndex<T> {
    const extent: BBox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const { bbox } of entries) {
      extent[0] = Math.min(extent[0], bbox[0]);
      extent[1] = Math.min(extent[1], bbox[1]);
      extent[2] = Math.max(extent[2], bbox[2]);
      extent[3] = Math.max(extent[3], bbox[3]);
    }
    const width = extent[2] - extent[0];
    const height = extent[3] - extent[1];
    const n = Math.max(1, entries.length);
    const cols = width > 0 ? Math.max(1, Math.min(n, Math.round(Math.sqrt((n * width) / Math.max(height, width / n))))) : 1;
    const rows = height > 0 ? Math.max(1, Math.round(n / cols)) : 1;
    const index = new SpatialIndex(entries, extent, cols, rows, new Int32Array(cols * rows + 1), new Int32Array(0));

    // Two passes (count, then fill) into one flat array: bucket b holds items[offsets[b]..offsets[b+1]).
    const counts = index.offsets;
    index.forEachBucket((bucket) => counts[bucket + 1]!++);
    for (let b = 1; b < counts.length; b++) counts[b]! += counts[b - 1]!;
    const items = new Int32Array(counts[counts.length - 1]!);
    const cursor = counts.slice(0, -1);
    index.forEachBucket((bucket, entry) => {
      items[cursor[bucket]!++] = entry;
    });
    return new SpatialIndex(entries, extent, cols, rows, counts, items);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The first entry containing the point (boundary included), or null. */
  locate(x: number, y: number): T | null {
    const [minX, minY, maxX, maxY] = this.extent;
    if (!(x >= minX && x <= maxX && y >= minY && y <= maxY)) return null;
    const bucket = this.row(y) * this.cols + this.col(x);
    for (let k = this.offsets[bucket]!; k < this.offsets[bucket + 1]!; k++) {
      const entry = this.entries[this.items[k]!]!;
      const [ex0, ey0, ex1, ey1] = entry.bbox;
      if (x < ex0 || x > ex1 || y < ey0 || y > ey1) continue;
      if (polygonsContain(entry.polygons, x, y)) return entry.value;
    }
    return null;
  }

  private col(x: number): number {
    const width = this.extent[2] - this.extent[0];
    return width > 0 ? Math.min(this.cols - 1, Math.floor(((x - this.extent[0]) / width) * this.cols)) : 0;
  }

  private row(y: number): number {
    const height = this.extent[3] - this.extent[1];
    return height > 0 ? Math.min(this.rows - 1, Math.floor(((y - this.extent[1]) / height) * this.rows)) : 0;
  }

  private forEachBucket(visit: (bucket: number, entry: number) => void): void {
    this.entries.forEach(({ bbox }, entry) => {
      const [c0, c1, r0, r1] = [this.col(bbox[0]), this.col(bbox[2]), this.row(bbox[1]), this.row(bbox[3])];
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) visit(r * this.cols + c, entry);
    });
  }
}
