/**
 * Optional high-level budget metric: cosine similarity of CLIP image embeddings between a render and
 * its reference (BudgetFusion's I-CLIP, arXiv 2412.05780, section 3). Taleframe ships no CLIP vision
 * weights; when a user installs an ONNX export of a CLIP vision tower (a folder with model.onnx,
 * vision_model.onnx or image_encoder/model.onnx, and optionally preprocessor_config.json), calibration
 * measures this curve too. Without one, `loadClipImageScorer` returns null and the curve is skipped.
 * Preprocessing follows CLIPImageProcessor: resize the short side, centre-crop, scale to [0, 1],
 * normalise with the OpenAI CLIP mean and std, NCHW float32.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';

/** Anything that turns an image into an embedding. */
export interface ClipImageScorer {
  embed(image: RgbImage): Promise<Float32Array>;
}

const CANDIDATES = ['model.onnx', 'vision_model.onnx', join('image_encoder', 'model.onnx'), join('vision_encoder', 'model.onnx')];
const OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_STD = [0.26862954, 0.26130258, 0.27577711];

/** Cosine similarity in [-1, 1]; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`embeddings differ in length: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The model file inside `dir`, or null when no CLIP vision model is installed there. */
export async function findClipVisionModel(dir: string | undefined): Promise<string | null> {
  if (!dir) return null;
  for (const name of CANDIDATES) if (await exists(join(dir, name))) return join(dir, name);
  return null;
}

/** Loads a CLIP vision ONNX model from `dir`; null when `dir` is unset or holds none. */
export async function loadClipImageScorer(dir: string | undefined): Promise<ClipImageScorer | null> {
  const file = await findClipVisionModel(dir);
  if (!file) return null;
  // Imported lazily so modules that only use `cosine` never load the native runtime.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' });
  let size = 224;
  let mean = OPENAI_MEAN;
  let std = OPENAI_STD;
  try {
    const pre = JSON.parse(await readFile(join(dir!, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    const crop = pre.crop_size;
    if (typeof crop === 'number') size = crop;
    else if (crop && typeof crop === 'object' && typeof (crop as { height?: unknown }).height === 'number') size = (crop as { height: number }).height;
    if (Array.isArray(pre.image_mean) && pre.image_mean.length === 3) mean = pre.image_mean as number[];
    if (Array.isArray(pre.image_std) && pre.image_std.length === 3) std = pre.image_std as number[];
  } catch {
    // No preprocessor_config.json: OpenAI CLIP defaults.
  }
  const inputName = session.inputNames.find((n) => n === 'pixel_values') ?? session.inputNames[0];
  const outputName =
    session.outputNames.find((n) => n === 'image_embeds') ?? session.outputNames.find((n) => n === 'pooler_output') ?? session.outputNames[0];
  return {
    async embed(image: RgbImage): Promise<Float32Array> {
      const pixels = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
        .raw()
        .toBuffer();
      const plane = size * size;
      const input = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) input[c * plane + i] = (pixels[i * 3 + c] / 255 - mean[c]) / std[c];
      }
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, [1, 3, size, size]) });
      const tensor = out[outputName];
      const data = tensor.data as Float32Array;
      // last_hidden_state [1, tokens, D]: use the class token, as CLIP's pooler does.
      return tensor.dims.length === 3 ? data.slice(0, Number(tensor.dims[2])) : Float32Array.from(data);
    },
  };
}
