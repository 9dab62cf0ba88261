/**
 * The storyboard as a film: each panel holds for a few seconds under a gentle Ken Burns move (or one
 * chosen camera move), its caption burned in along the bottom, and consecutive panels crossfade. An
 * optional title card opens it. Frames are drawn with sharp and blended in plain code, then encoded
 * once (encode-clip.ts) under the upload limit; the same code serves a multi-panel "animate" job.
 */
import sharp from 'sharp';
import { cameraWindow, kenBurnsWindow, type CameraMotion, type CropWindow } from '../core/camera-motion.js';
import type { RgbImage } from '../core/image.js';
import { burnCaption, captionOverlay, type CaptionOverlay } from './caption-overlay.js';
import { encodeGif, encodeMp4, encodeWebp, type ClipFormat, type EncodedClip } from './encode-clip.js';
import type { FfmpegTools } from './ffmpeg.js';
import { FrameFolder } from './frame-folder.js';
import { MediaInputError } from './media-input-error.js';
import { PanelCamera } from './panel-camera.js';
import { textBlock } from './text-block.js';

export interface SlidePanel {
  png: Buffer | Uint8Array;
  caption: string;
}

export interface SlideshowOptions {
  title?: string;
  /** How long each panel is on screen, fades included. Default 3 s (shortened for long stories). */
  secondsPerPanel?: number;
  /** Crossfade between panels. Default 0.75 s. */
  fadeSeconds?: number;
  /** Default 12. */
  fps?: number;
  /** Longest side of the video (the first panel's aspect). Default 512. */
  maxSide?: number;
  /** 'ken-burns' (default) varies the move per panel; 'still' holds; a CameraMotion applies to all. */
  motion?: CameraMotion | 'ken-burns' | 'still';
  /** Burn captions in (default true). */
  captions?: boolean;
  /** Default 'mp4'. */
  format?: ClipFormat;
  uploadLimitBytes: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface Slideshow {
  clip: EncodedClip;
  frames: number;
  width: number;
  height: number;
  durationSec: number;
}

/** Longest film we make; long stories get shorter holds instead (never under 1.5 s a panel). */
const MAX_SECONDS = 180;

interface Segment {
  start: number;
  frames: number;
  draw(localT: number): Promise<RgbImage>;
}

const even = (n: number) => Math.max(2, 2 * Math.floor(n / 2));

/**
 * Renders the slideshow.
 * @example await storyboardSlideshow(tools, panels, { title: 'The Fox and the Grapes', uploadLimitBytes: 10 << 20 })
 */
export async function storyboardSlideshow(tools: FfmpegTools, panels: SlidePanel[], opts: SlideshowOptions): Promise<Slideshow> {
  if (panels.length === 0) throw new MediaInputError('A slideshow needs at least one panel.');
  const fps = opts.fps ?? 12;
  const fade = Math.max(0, opts.fadeSeconds ?? 0.75);
  const cards = panels.length + (opts.title ? 1 : 0);
  const hold = Math.max(1.5, Math.min(opts.secondsPerPanel ?? 3, MAX_SECONDS / cards));
  if (fade * 2 > hold) throw new MediaInputError(`A ${fade} s crossfade needs panels held at least ${fade * 2} s, not ${hold} s.`);
  const first = await sharp(panels[0]!.png).metadata().catch(() => {
    throw new MediaInputError('Panel 1 is not a picture I can read.');
  });
  const fit = Math.min(1, (opts.maxSide ?? 512) / Math.max(first.width ?? 1, first.height ?? 1));
  const width = even((first.width ?? 512) * fit);
  const height = even((first.height ?? 512) * fit);
  const segFrames = Math.max(2, Math.round(hold * fps));
  const fadeFrames = Math.min(segFrames - 1, Math.round(fade * fps));
  const motion = opts.motion ?? 'ken-burns';
  const windowFor = (t: number, index: number): CropWindow =>
    motion === 'ken-burns' ? kenBurnsWindow(t, index) : motion === 'still' ? { x: 0, y: 0, width: 1, height: 1 } : cameraWindow(motion, t);

  const segments: Segment[] = [];
  if (opts.title) {
    const card = await titleCard(opts.title, width, height);
    segments.push({ start: 0, frames: segFrames, draw: async () => ({ ...card, data: card.data.slice() }) });
  }
  for (const [index, panel] of panels.entries()) {
    let camera: PanelCamera | undefined;
    let overlay: CaptionOverlay | undefined | null = null;
    segments.push({
      start: segments.length * (segFrames - fadeFrames),
      frames: segFrames,
      draw: async (t) => {
        camera ??= await PanelCamera.open(panel.png, width, height).catch(() => {
          throw new MediaInputError(`Panel ${index + 1} is not a picture I can read.`);
        });
        if (overlay === null) overlay = opts.captions === false ? undefined : await captionOverlay(panel.caption, width, height);
        return burnCaption(await camera.frame(windowFor(t, index)), overlay);
      },
    });
  }
  const last = segments[segments.length - 1]!;
  const count = last.start + last.frames;

  return FrameFolder.using(async (folder) => {
    for (let f = 0; f < count; f++) {
      opts.signal?.throwIfAborted();
      const active = segments.filter((s) => f >= s.start && f < s.start + s.frames);
      const local = (s: Segment) => (f - s.start) / (s.frames - 1);
      let frame = await active[0]!.draw(local(active[0]!));
      if (active.length > 1) {
        const next = await active[1]!.draw(local(active[1]!));
        frame = crossfade(frame, next, (f - active[1]!.start + 1) / (fadeFrames + 1));
      }
      await folder.writeRgb('slide', f, frame);
      opts.onProgress?.({ done: f + 1, total: count + 1 });
      // Segments that are over will not be drawn again: let their camera buffers go.
      for (const s of segments) if (s.start + s.frames <= f) s.draw = finished;
    }
    const format = opts.format ?? 'mp4';
    const encode = format === 'mp4' ? encodeMp4 : format === 'gif' ? encodeGif : encodeWebp;
    const clip = await encode(tools, folder.sequence('slide', count, fps, width, height), {
      limitBytes: opts.uploadLimitBytes,
      signal: opts.signal,
      maxSide: format === 'gif' ? Math.min(320, Math.max(width, height)) : undefined,
    });
    opts.onProgress?.({ done: count + 1, total: count + 1 });
    return { clip, frames: count, width, height, durationSec: count / fps };
  });
}

const finished = async (): Promise<RgbImage> => {
  throw new Error('a finished slideshow segment was drawn again');
};

/** (1 - alpha) * a + alpha * b. */
function crossfade(a: RgbImage, b: RgbImage, alpha: number): RgbImage {
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(a.data[i]! * (1 - alpha) + b.data[i]! * alpha);
  return { width: a.width, height: a.height, data: out };
}

/** The opening card: the story's title, large, on the book's paper colour. */
async function titleCard(title: string, width: number, height: number): Promise<RgbImage> {
  const fontPx = Math.max(12, Math.round(width / 16));
  const padding = Math.round(width / 12);
  const text = await textBlock(title, { fontPx, minFontPx: Math.max(10, Math.round(fontPx * 0.6)), maxWidth: width - 2 * padding, maxLines: 3, bold: true, color: '#2b2620', align: 'centre' });
  const layers = text
    ? [{ input: text.png, left: Math.round((width - text.width) / 2), top: Math.max(0, Math.round((height - text.height) / 2)) }]
    : [];
  const { data, info } = await sharp({ create: { width, height, channels: 3, background: '#f7f4ee' } })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
