/**
 * Render size versus output size. A model renders best at the size it was trained at (its native size:
 * unet `sample_size` x 8); asked for much more, a UNet repeats subjects and loses the layout, as SD1.5
 * does at 1024 px. So a request larger than the model's native pixel count is rendered at the native
 * pixel count in the request's shape and upscaled to the requested size for display (the storybook
 * model renders 128x128 and is shown at 512x512). Requests at or below native size render as asked.
 */

export interface Size {
  width: number;
  height: number;
}

/** How much larger than native a request may be before it is rendered small and upscaled. */
const NATIVE_SLACK = 1.3;

const roundTo8 = (value: number) => Math.max(8, Math.round(value / 8) * 8);

/**
 * The size to run the model at for an output of `output` pixels.
 * @example renderSizeFor(128, { width: 512, height: 512 }) // { width: 128, height: 128 }
 * @example renderSizeFor(128, { width: 768, height: 512 }) // { width: 160, height: 104 } (3:2 at 128² pixels)
 * @example renderSizeFor(undefined, { width: 512, height: 512 }) // as asked
 */
export function renderSizeFor(nativeSize: number | undefined, output: Size): Size {
  if (nativeSize === undefined) return output;
  const budget = nativeSize * nativeSize;
  const asked = output.width * output.height;
  if (asked <= budget * NATIVE_SLACK) return output;
  const scale = Math.sqrt(budget / asked);
  return { width: roundTo8(output.width * scale), height: roundTo8(output.height * scale) };
}

/**
 * The smallest output size, in the model's shape, whose shorter side is at least `minSide`: what a
 * render shows in Discord when nobody asked for a size (integer upscale factors keep it crisp).
 * @example displaySizeFor(128, 512) // { width: 512, height: 512 }
 */
export function displaySizeFor(nativeSize: number, minSide = 512): Size {
  const factor = Math.max(1, Math.ceil(minSide / nativeSize));
  return { width: nativeSize * factor, height: nativeSize * factor };
}
