/**
 * Plain pixel buffers shared by the engine, the budget metrics and the media code. They carry no
 * I/O: PNG encoding and decoding live in the adapters (sharp), so the core can be tested without it.
 */

/** 8-bit RGB, row-major, interleaved (r, g, b, r, g, b, ...), length = width * height * 3. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 8-bit single channel, row-major, length = width * height. For masks 255 = repaint, 0 = keep. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createRgb(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

export function createGray(width: number, height: number): GrayImage {
  return { width, height, data: new Uint8Array(width * height) };
}
