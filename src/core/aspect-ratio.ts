/**
 * Picture sizes for an aspect ratio (Midjourney's `--ar 3:2`): the same pixel budget as the base size
 * (so a wide draft costs what a square one does), each side a multiple of 64 (what SD's UNet
 * downsampling needs to divide cleanly), clamped to a sane range. Pure.
 */

export interface Size {
  width: number;
  height: number;
}

/**
 * @example sizeForAspect({ width: 512, height: 512 }, { width: 3, height: 2 }) // { width: 640, height: 448 }
 */
export function sizeForAspect(base: Size, ratio: Size, limits = { min: 64, max: 1536, multiple: 64 }): Size {
  const area = base.width * base.height;
  const r = Math.min(4, Math.max(0.25, ratio.width / ratio.height));
  const round = (v: number) => Math.min(limits.max, Math.max(limits.min, Math.round(v / limits.multiple) * limits.multiple));
  return { width: round(Math.sqrt(area * r)), height: round(Math.sqrt(area / r)) };
}
