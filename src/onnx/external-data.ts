/**
 * Moves large initializers of a ModelProto object out into one external data file, the way
 * `onnx.save_model(..., save_as_external_data=True, all_tensors_to_one_file=True, location=...,
 * size_threshold=1024)` does (onnx docs/ExternalData.md): each moved TensorProto loses raw_data and
 * gets data_location = EXTERNAL (1) plus external_data entries `location`, `offset`, `length` (numbers
 * as decimal strings), with `location` relative to the .onnx file. Offsets are aligned (4096 by
 * default, the page size mmap needs; onnx-ir aligns big tensors to 64 KB allocation granularity) by
 * zero padding; onnxruntime also reads unaligned offsets (test/onnx-builder.test.ts checks both).
 */

/** How `OnnxGraphBuilder.serializeWithExternalData` splits weights out. */
export interface ExternalDataOptions {
  /** File name relative to the .onnx file, e.g. 'weights.pb' (diffusers) or 'model.onnx_data' (optimum). */
  location: string;
  /** Initializers with at least this many bytes go to the file (onnx's size_threshold; default 1024). */
  threshold?: number;
  /** Each offset is a multiple of this (default 4096; 1 packs the tensors back to back). */
  align?: number;
}

interface TensorObject {
  name: string;
  raw_data?: Uint8Array;
  [key: string]: unknown;
}

/** onnx.TensorProto.DataLocation.EXTERNAL. */
export const EXTERNAL_DATA_LOCATION = 1;

/**
 * Rewrites `initializers` in place for external storage and returns the data file's bytes.
 * Throws for a location onnxruntime would refuse: absolute, or reaching outside the model's folder.
 */
export function splitExternalData(initializers: TensorObject[], options: ExternalDataOptions): Uint8Array {
  const { location } = options;
  const threshold = options.threshold ?? 1024;
  const align = options.align ?? 4096;
  if (!location || location.startsWith('/') || /^[A-Za-z]:/.test(location) || location.split(/[\\/]/).includes('..')) {
    throw new Error(`external data location "${location}" must be a relative path inside the model's folder`);
  }
  if (!Number.isInteger(align) || align < 1) throw new Error(`external data align ${align} is not a positive integer`);
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  let end = 0;
  for (const tensor of initializers) {
    const bytes = tensor.raw_data;
    if (!bytes || bytes.length < threshold) continue;
    const offset = Math.ceil(end / align) * align;
    chunks.push({ offset, bytes });
    end = offset + bytes.length;
    delete tensor.raw_data;
    tensor.data_location = EXTERNAL_DATA_LOCATION;
    tensor.external_data = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.length) },
    ];
  }
  const data = new Uint8Array(end); // zero-filled, so the padding between tensors is zeros
  for (const chunk of chunks) data.set(chunk.bytes, chunk.offset);
  return data;
}
