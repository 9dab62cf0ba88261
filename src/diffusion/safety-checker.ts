/**
 * diffusers' StableDiffusionSafetyChecker as ONNX (`safety_checker/model.onnx`, REFERENCE §11), run by
 * the worker on every finished picture when the model folder has one. Contract of the diffusers /
 * optimum export: inputs `clip_input` float [N,3,224,224] (CLIP preprocessing: short side resized to
 * 224 bicubic, centre crop, [0,1], normalised with CLIP's mean and std, or the values in
 * feature_extractor/preprocessor_config.json) and `images` float [N,H,W,3] in [0,1]; outputs
 * `out_images` (diffusers blacks flagged pictures out; unused here) and `has_nsfw_concepts` bool [N].
 * A flagged picture is blurred strongly instead of blacked out, so the group still sees that a picture
 * was drawn (InvokeAI made the same choice).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { RgbImage } from '../core/image.js';
import { ModelFolderError } from './model-folder-error.js';
import type { FloatKind, SessionInfo } from './model-signature.js';
import { floatTensor } from './tensors.js';

/** CLIP's preprocessing (openai/clip-vit-large-patch14, which the SD safety checker uses). */
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
const CLIP_SIZE = 224;

/** Where a checker's inputs and outputs are, from its session metadata. */
export interface SafetyCheckerSignature {
  clipInput: string;
  clipType: FloatKind;
  /** The `images` input, when the export has one (fed the picture itself, NHWC in [0,1]). */
  images?: { name: string; type: FloatKind };
  flags: string;
}

export interface SafetyChecker extends SafetyCheckerSignature {
  session: ort.InferenceSession;
  mean: readonly number[];
  std: readonly number[];
  /** Time inside session.run (ms). */
  ms: number;
}

function floatKindOf(dir: string, name: string, type: string | undefined): FloatKind {
  if (type === 'float32' || type === 'float16') return type;
  throw new ModelFolderError(dir, `${dir}/safety_checker/model.onnx input ${name} has type ${type ?? 'unknown'}, but Taleframe feeds float32 or float16.`);
}

/** Reads the checker's contract from its metadata; one sentence when it is not a safety checker. */
export function safetyCheckerSignature(dir: string, session: SessionInfo): SafetyCheckerSignature {
  const clip = session.inputMetadata.find((m) => m.isTensor && m.name === 'clip_input');
  const flags = session.outputMetadata.find((m) => m.isTensor && m.name === 'has_nsfw_concepts');
  if (!clip || !flags) {
    throw new ModelFolderError(dir, `${dir}/safety_checker/model.onnx is not a diffusers safety checker: it needs a clip_input input and a has_nsfw_concepts output.`);
  }
  const images = session.inputMetadata.find((m) => m.isTensor && m.name === 'images');
  return {
    clipInput: clip.name,
    clipType: floatKindOf(dir, clip.name, clip.type),
    images: images ? { name: images.name, type: floatKindOf(dir, images.name, images.type) } : undefined,
    flags: flags.name,
  };
}

/** image_mean / image_std from feature_extractor/preprocessor_config.json when it states them, else CLIP's. */
export async function readClipNormalisation(dir: string): Promise<{ mean: readonly number[]; std: readonly number[] }> {
  try {
    const config = JSON.parse(await readFile(join(dir, 'feature_extractor', 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    const triple = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (triple(config.image_mean) && triple(config.image_std) && (config.image_std as number[]).every((x) => x > 0)) {
      return { mean: config.image_mean as number[], std: config.image_std as number[] };
    }
  } catch {
    // No (readable) preprocessor config: diffusers' default CLIP values.
  }
  return { mean: CLIP_MEAN, std: CLIP_STD };
}

/** One picture as CLIP sees it: short side to 224 (bicubic), centre crop, normalised, CHW. */
async function clipPixels(image: RgbImage, mean: readonly number[], std: readonly number[], out: Float32Array, offset: number): Promise<void> {
  const scale = CLIP_SIZE / Math.min(image.width, image.height);
  const width = Math.max(CLIP_SIZE, Math.round(image.width * scale));
  const height = Math.max(CLIP_SIZE, Math.round(image.height * scale));
  const { data } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .extract({ left: Math.floor((width - CLIP_SIZE) / 2), top: Math.floor((height - CLIP_SIZE) / 2), width: CLIP_SIZE, height: CLIP_SIZE })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = CLIP_SIZE * CLIP_SIZE;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[offset + c * plane + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
  }
}

/**
 * Which of `images` (all the same size, as one render's variants are) the checker flags.
 * @example const flagged = await checkPictures(checker, result.images) // -> [false, true, false, false]
 */
export async function checkPictures(checker: SafetyChecker, images: readonly RgbImage[]): Promise<boolean[]> {
  const flags: boolean[] = [];
  // One picture per call: variants may differ in size after an upscale, and N is at most 4.
  for (const image of images) {
    const clip = new Float32Array(3 * CLIP_SIZE * CLIP_SIZE);
    await clipPixels(image, checker.mean, checker.std, clip, 0);
    const feeds: Record<string, ort.Tensor> = { [checker.clipInput]: floatTensor(checker.clipType, clip, [1, 3, CLIP_SIZE, CLIP_SIZE]) };
    if (checker.images) {
      const pixels = Float32Array.from(image.data, (v) => v / 255);
      feeds[checker.images.name] = floatTensor(checker.images.type, pixels, [1, image.height, image.width, 3]);
    }
    const start = performance.now();
    const out = (await checker.session.run(feeds, [checker.flags]))[checker.flags] as ort.Tensor;
    checker.ms += performance.now() - start;
    flags.push(Boolean((out.data as ArrayLike<number | boolean>)[0]));
  }
  return flags;
}

/**
 * A strong gaussian blur: nothing of the picture's detail survives, only its broad colours.
 * Sigma scales with the picture (a tenth of its short side, at least 4 pixels).
 */
export async function blurPicture(image: RgbImage): Promise<RgbImage> {
  const sigma = Math.max(4, Math.min(image.width, image.height) / 10);
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 3 } })
    .blur(sigma)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The note on a draft whose pictures were blurred. */
export function blurredNote(count: number): string | undefined {
  if (count === 0) return undefined;
  return count === 1 ? 'One picture was blurred by the safety checker.' : `${count} pictures were blurred by the safety checker.`;
}
