/**
 * Painting a refine mask straight over a draft: the picture with a canvas on top, a round brush (mouse,
 * pen or finger), a size slider and Clear. What was painted becomes a black-and-white PNG (white =
 * repaint), the bot's mask format. A 2x2 draft grid is four variants with a 4 px gap between them
 * (src/discord/drafts/draft-grid.ts); the mask is cut from the variant painted most and that variant is
 * named in the reply (`variant: N`), so the bot repaints the right picture.
 */

export interface PaintedMask {
  file: File;
  /** 1-based variant of a 2x2 grid, when the picture was one. */
  variant?: number;
}

const GRID_GAP = 4;
const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Opens the painter on `imageUrl`; resolves with the mask, or null when the member cancels. */
export function paintMask(imageUrl: string, grid: boolean, alt: string): Promise<PaintedMask | null> {
  const dialog = el<HTMLDialogElement>('painter-dialog');
  const image = el<HTMLImageElement>('painter-image');
  const canvas = el<HTMLCanvasElement>('painter-canvas');
  const size = el<HTMLInputElement>('painter-size');
  const context = canvas.getContext('2d')!;
  image.alt = alt;

  return new Promise((resolve) => {
    const abort = new AbortController();
    const { signal } = abort;
    let painting = false;
    let last: { x: number; y: number } | null = null;
    const finish = (result: PaintedMask | null) => {
      abort.abort();
      if (dialog.open) dialog.close();
      resolve(result);
    };
    const point = (event: PointerEvent) => {
      const box = canvas.getBoundingClientRect();
      return { x: ((event.clientX - box.left) / box.width) * canvas.width, y: ((event.clientY - box.top) / box.height) * canvas.height };
    };
    const stroke = (to: { x: number; y: number }) => {
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      context.strokeStyle = 'rgba(255, 64, 64, 0.75)';
      context.lineWidth = Number(size.value) * scale;
      context.lineCap = 'round';
      context.globalCompositeOperation = 'source-over';
      context.beginPath();
      context.moveTo((last ?? to).x, (last ?? to).y);
      context.lineTo(to.x, to.y);
      context.stroke();
      last = to;
    };

    image.addEventListener('load', () => {
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      context.clearRect(0, 0, canvas.width, canvas.height);
    }, { signal, once: true });
    canvas.addEventListener('pointerdown', (event) => {
      painting = true;
      last = null;
      canvas.setPointerCapture(event.pointerId);
      stroke(point(event));
    }, { signal });
    canvas.addEventListener('pointermove', (event) => painting && stroke(point(event)), { signal });
    canvas.addEventListener('pointerup', () => (painting = false), { signal });
    el('painter-clear').addEventListener('click', () => context.clearRect(0, 0, canvas.width, canvas.height), { signal });
    el('painter-cancel').addEventListener('click', () => finish(null), { signal });
    dialog.addEventListener('cancel', () => finish(null), { signal });
    el<HTMLFormElement>('painter-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void maskFrom(canvas, grid).then((mask) => {
        if (mask) finish(mask);
        else el('painter-help').textContent = 'Paint over the part to repaint first.';
      });
    }, { signal });

    image.src = imageUrl;
    dialog.showModal();
  });
}

/** The painted strokes as a white-on-black PNG (of the most painted variant for a grid). */
async function maskFrom(canvas: HTMLCanvasElement, grid: boolean): Promise<PaintedMask | null> {
  const { width, height } = canvas;
  const alpha = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
  const cellW = grid ? (width - GRID_GAP) / 2 : width;
  const cellH = grid ? (height - GRID_GAP) / 2 : height;
  const cells = grid ? [0, 1, 2, 3].map((i) => ({ x: (i % 2) * (cellW + GRID_GAP), y: Math.floor(i / 2) * (cellH + GRID_GAP) })) : [{ x: 0, y: 0 }];
  const painted = cells.map((cell) => {
    let count = 0;
    for (let y = cell.y; y < cell.y + cellH; y++) for (let x = cell.x; x < cell.x + cellW; x++) if (alpha[(y * width + x) * 4 + 3]! > 0) count++;
    return count;
  });
  const best = painted.indexOf(Math.max(...painted));
  if (painted[best] === 0) return null;
  const cell = cells[best]!;
  const out = document.createElement('canvas');
  out.width = cellW;
  out.height = cellH;
  const context = out.getContext('2d')!;
  const mask = context.createImageData(cellW, cellH);
  for (let y = 0; y < cellH; y++) {
    for (let x = 0; x < cellW; x++) {
      const on = alpha[((cell.y + y) * width + cell.x + x) * 4 + 3]! > 0 ? 255 : 0;
      const i = (y * cellW + x) * 4;
      mask.data[i] = mask.data[i + 1] = mask.data[i + 2] = on;
      mask.data[i + 3] = 255;
    }
  }
  context.putImageData(mask, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
  if (!blob) return null;
  return { file: new File([blob], 'mask.png', { type: 'image/png' }), ...(grid ? { variant: best + 1 } : {}) };
}
