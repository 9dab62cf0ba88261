/**
 * Tiles for upscaling: a picture larger than the model draws comfortably is redrawn in overlapping
 * tiles of its native size, and the tiles are blended back with linear ramps across each overlap so no
 * seam shows (the MultiDiffusion / "tiled upscale" idea, applied to finished img2img tiles). Pure.
 */
import type { RgbImage } from './image.js';

export interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Starts of `count` tiles of `size` spread evenly over `length`, snapped to multiples of 8. */
function starts(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const count = Math.ceil((length - overlap) / (size - overlap));
  const last = length - size;
  return [...Array(count).keys()].map((i) => (i === count - 1 ? last : Math.min(last, Math.round((i * last) / (count - 1) / 8) * 8)));
}

/**
 * Tiles of at most `size` x `size` covering width x height, neighbours overlapping by at least
 * `overlap` pixels (default a quarter tile). A picture that fits is one tile of its own size.
 * @example planTiles(128, 128, 64) // 9 tiles of 64x64 at 0, 32, 64 on each axis
 */
export function planTiles(width: number, height: number, size: number, overlap = Math.max(8, Math.round(size / 32) * 8)): Tile[] {
  if (size < 16 || overlap >= size) throw new RangeError(`tile size ${size} with overlap ${overlap} cannot cover a picture`);
  const tiles: Tile[] = [];
  for (const top of starts(height, size, overlap)) {
    for (const left of starts(width, size, overlap)) tiles.push({ left, top, width: Math.min(size, width), height: Math.min(size, height) });
  }
  return tiles;
}

/** The pixels of `image` under `tile`. */
export function cropTile(image: RgbImage, tile: Tile): RgbImage {
  const data = new Uint8Array(tile.width * tile.height * 3);
  for (let y = 0; y < tile.height; y++) {
    const from = ((tile.top + y) * image.width + tile.left) * 3;
    data.set(image.data.subarray(from, from + tile.width * 3), y * tile.width * 3);
  }
  return { width: tile.width, height: tile.height, data };
}

/** Weight of position `i` in a tile of `length` whose sides `ramp` pixels in fade (1 in the middle). */
function rampWeight(i: number, length: number, rampStart: number, rampEnd: number): number {
  const a = rampStart > 0 ? Math.min(1, (i + 0.5) / rampStart) : 1;
  const b = rampEnd > 0 ? Math.min(1, (length - i - 0.5) / rampEnd) : 1;
  return Math.min(a, b);
}

/** Accumulates redrawn tiles into the whole picture, feathering every side that borders another tile. */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly tiles: readonly Tile[],
  ) {
    this.sum = new Float32Array(width * height * 3);
    this.weight = new Float32Array(width * height);
  }

  /** Adds tile `index`'s redrawn pixels. */
  add(index: number, pixels: RgbImage): void {
    const t = this.tiles[index]!;
    // A side fades over the overlap with its neighbour; sides on the picture's edge do not fade.
    const overlapOn = (side: 'left' | 'right' | 'top' | 'bottom'): number => {
      let most = 0;
      for (const o of this.tiles) {
        if (o === t) continue;
        const sameRow = o.top < t.top + t.height && t.top < o.top + o.height;
        const sameCol = o.left < t.left + t.width && t.left < o.left + o.width;
        if (side === 'left' && sameRow && o.left < t.left) most = Math.max(most, o.left + o.width - t.left);
        if (side === 'right' && sameRow && o.left > t.left) most = Math.max(most, t.left + t.width - o.left);
        if (side === 'top' && sameCol && o.top < t.top) most = Math.max(most, o.top + o.height - t.top);
        if (side === 'bottom' && sameCol && o.top > t.top) most = Math.max(most, t.top + t.height - o.top);
      }
      return Math.max(0, most);
    };
    const [l, r, tp, b] = [overlapOn('left'), overlapOn('right'), overlapOn('top'), overlapOn('bottom')];
    for (let y = 0; y < t.height; y++) {
      const wy = rampWeight(y, t.height, tp, b);
      for (let x = 0; x < t.width; x++) {
        const w = wy * rampWeight(x, t.width, l, r);
        const p = (t.top + y) * this.width + t.left + x;
        const s = (y * t.width + x) * 3;
        this.weight[p]! += w;
        for (let c = 0; c < 3; c++) this.sum[p * 3 + c]! += w * pixels.data[s + c]!;
      }
    }
  }

  /** The blended picture; pixels no tile has reached yet come from `under` (e.g. the enlarged source). */
  result(under?: RgbImage): RgbImage {
    const data = new Uint8Array(this.width * this.height * 3);
    for (let p = 0; p < this.weight.length; p++) {
      const w = this.weight[p]!;
      for (let c = 0; c < 3; c++) data[p * 3 + c] = w > 0 ? Math.round(this.sum[p * 3 + c]! / w) : (under?.data[p * 3 + c] ?? 0);
    }
    return { width: this.width, height: this.height, data };
  }
}
