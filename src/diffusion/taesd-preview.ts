/**
 * Step previews through TAESD (madebyollin/taesd, a 1.2 M-parameter distilled VAE decoder; REFERENCE
 * §10) when the model folder has one (taesd_decoder/model.onnx, or a folder the engine option names):
 * the x0 prediction of all variants in one decoder call, instead of the linear latent -> RGB
 * approximation of latent-preview.ts, so previews show the picture's real colours. Contract, as
 * diffusers' AutoencoderTiny: input scaled latents (the UNet's space; its scaling_factor is 1.0)
 * [B,4,h,w], output [B,3,8h,8w] in [-1, 1]. The decoded pictures are box-averaged back to latent
 * resolution and tiled like the linear preview, so a preview stays a small progress thumbnail of the
 * same size whichever decoder made it.
 */
import type * as ort from 'onnxruntime-node';
import { createRgb, type RgbImage } from '../core/image.js';
import { ModelFolderError } from './model-folder-error.js';
import type { FloatKind, SessionInfo } from './model-signature.js';
import { floatTensor, readFloats } from './tensors.js';

/** A loaded preview decoder and its timings. */
export interface PreviewDecoder {
  session: ort.InferenceSession;
  input: string;
  inputType: FloatKind;
  output: string;
  /** Accumulated time inside session.run (ms) and number of calls. */
  ms: number;
  calls: number;
}

/** Reads the decoder's input and output from session metadata; one sentence when they do not fit. */
export function previewDecoderSignature(dir: string, file: string, session: SessionInfo): Pick<PreviewDecoder, 'input' | 'inputType' | 'output'> {
  const input = session.inputMetadata.find((m) => m.isTensor);
  const output = session.outputMetadata.find((m) => m.isTensor);
  if (!input || !output) throw new ModelFolderError(dir, `${file} has no tensor input and output, so it cannot decode previews.`);
  if (input.type !== 'float32' && input.type !== 'float16') {
    throw new ModelFolderError(dir, `${file} input ${input.name} has type ${input.type}, but Taleframe feeds float32 or float16.`);
  }
  return { input: input.name, inputType: input.type, output: output.name };
}

/**
 * Decodes `count` scaled latents [count, 4, h, w] and tiles them at h x w each in a grid of
 * ceil(sqrt(count)) columns (the same layout and size as latentPreview).
 */
export async function taesdPreview(decoder: PreviewDecoder, latents: Float32Array, count: number, h: number, w: number): Promise<RgbImage> {
  const start = performance.now();
  const feeds = { [decoder.input]: floatTensor(decoder.inputType, latents.subarray(0, count * 4 * h * w), [count, 4, h, w]) };
  const out = (await decoder.session.run(feeds, [decoder.output]))[decoder.output] as ort.Tensor;
  decoder.ms += performance.now() - start;
  decoder.calls++;
  const [b, channels, height, width] = out.dims;
  if (out.dims.length !== 4 || b !== count || channels !== 3 || height % h !== 0 || width % w !== 0) {
    throw new Error(`The preview decoder returned shape [${out.dims.join(', ')}], not [${count}, 3, ${8 * h}, ${8 * w}].`);
  }
  const pixels = readFloats(out, 'preview');
  const [fy, fx] = [height / h, width / w];
  const cols = Math.ceil(Math.sqrt(count));
  const image = createRgb(cols * w, Math.ceil(count / cols) * h);
  const plane = height * width;
  for (let v = 0; v < count; v++) {
    const [ox, oy] = [(v % cols) * w, Math.floor(v / cols) * h];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < 3; k++) {
          const base = (v * 3 + k) * plane;
          let sum = 0;
          for (let dy = 0; dy < fy; dy++) for (let dx = 0; dx < fx; dx++) sum += pixels[base + (y * fy + dy) * width + x * fx + dx];
          const mean = sum / (fy * fx);
          image.data[((oy + y) * image.width + ox + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(((mean + 1) / 2) * 255)));
        }
      }
    }
  }
  return image;
}
