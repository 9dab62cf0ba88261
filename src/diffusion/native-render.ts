/**
 * Renders a request at the model's native size and upscales the result to the size asked for
 * (core/render-size.ts says when). The img2img source is resized down with lanczos and an inpainting
 * mask with coverage (a render-size pixel is repainted when a quarter of what it covers is), so a thin
 * brush stroke still counts. After upscaling (lanczos3), an inpaint is composited over the original
 * full-size source through the feathered mask again, so unmasked pixels stay the source's own bytes at
 * every size (REFERENCE section 3).
 */
import { createGray, type GrayImage } from '../core/image.js';
import { renderSizeFor, type Size } from '../core/render-size.js';
import { compositeOverSource, featheredAlpha } from './inpaint-mask.js';
import { resizeRgb } from './png.js';
import type { RenderRequest, RenderResult } from './render-types.js';

/** Share of a render-size pixel's footprint that must be masked for it to be repainted. */
const MASK_COVERAGE = 0.25;

/** Box-coverage downscale of a 0/255 mask. */
export function downscaleMask(mask: GrayImage, size: Size): GrayImage {
  const out = createGray(size.width, size.height);
  const sx = mask.width / size.width;
  const sy = mask.height / size.height;
  for (let y = 0; y < size.height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < size.width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let on = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) if (mask.data[yy * mask.width + xx] >= 128) on++;
      out.data[y * size.width + x] = on >= MASK_COVERAGE * (y1 - y0) * (x1 - x0) ? 255 : 0;
    }
  }
  return out;
}

/**
 * Runs `render` at the native size when `req` is larger than the model's native pixel count, and
 * upscales. Requests with explicit starting latents keep their size (the latents fix it).
 */
export async function renderNativeThenUpscale(
  nativeSize: number | undefined,
  req: RenderRequest,
  render: (req: RenderRequest) => Promise<RenderResult>,
): Promise<RenderResult> {
  const size = renderSizeFor(nativeSize, req);
  if (req.latents || (size.width === req.width && size.height === req.height)) return render(req);
  const init = req.init ? await resizeRgb(req.init, size.width, size.height, 'fill') : undefined;
  const mask = req.mask ? downscaleMask(req.mask, size) : undefined;
  const result = await render({ ...req, ...size, init, mask });
  const alpha = req.mask && req.init ? featheredAlpha(req.mask) : undefined;
  const images = await Promise.all(
    result.images.map(async (image) => {
      const up = await resizeRgb(image, req.width, req.height, 'fill');
      return alpha && req.init ? compositeOverSource(up, req.init, alpha) : up;
    }),
  );
  return { ...result, images, renderedAt: size };
}
