/**
 * Converts the engine's float32 buffers to the tensors a session wants and back: float16 exports get
 * Uint16Array bit patterns (float16.ts), timesteps become int64 / int32 / float32 / float16 of rank 0
 * or [B] as the UNet's metadata says (REFERENCE §1). Keeping this in one place means the loop in
 * pipeline.ts never branches on dtypes.
 */
import * as ort from 'onnxruntime-node';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import type { FloatKind, UnetSignature } from './model-signature.js';

/** A float tensor of `kind` holding `data` (converted to binary16 when the model wants fp16). */
export function floatTensor(kind: FloatKind, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return kind === 'float16' ? new ort.Tensor('float16', float32ToFloat16(data), dims) : new ort.Tensor('float32', data, dims);
}

/** The float32 contents of an output tensor (float16 outputs are widened; float32 is shared, not copied). */
export function readFloats(tensor: ort.OnnxValue | undefined, what: string): Float32Array {
  if (!tensor || !(tensor instanceof ort.Tensor)) throw new Error(`The model returned no ${what} tensor.`);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  throw new Error(`The model returned ${what} as ${tensor.type}, not float32 or float16.`);
}

/**
 * The UNet's timestep input for `batch` items at train timestep `t`. Integer exports get t truncated,
 * as diffusers' ONNX pipeline does (np.array([t], dtype=int64) with Euler's fractional timesteps).
 */
export function timestepTensor(unet: UnetSignature, t: number, batch: number): ort.Tensor {
  const dims = unet.timestepRank0 ? [] : [batch];
  const n = unet.timestepRank0 ? 1 : batch;
  switch (unet.timestepType) {
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(n).fill(BigInt(Math.trunc(t))), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(n).fill(Math.trunc(t)), dims);
    case 'float16':
      return new ort.Tensor('float16', float32ToFloat16(new Float32Array(n).fill(t)), dims);
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(n).fill(t), dims);
  }
}

/** Token ids as int32 or int64, shape [1, ids.length]. */
export function idsTensor(type: 'int32' | 'int64', ids: Int32Array): ort.Tensor {
  if (type === 'int32') return new ort.Tensor('int32', ids, [1, ids.length]);
  return new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
}

/** An all-ones attention mask for exports that declare one (CLIP in SD attends causally, unmasked). */
export function onesTensor(type: 'int32' | 'int64', length: number): ort.Tensor {
  if (type === 'int32') return new ort.Tensor('int32', new Int32Array(length).fill(1), [1, length]);
  return new ort.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]);
}
