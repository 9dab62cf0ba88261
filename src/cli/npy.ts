/**
 * Reads NumPy .npy files (format versions 1-3, little-endian, C order) into Float32Array, so a
 * user can feed the exact starting latents of a diffusers run (`np.save("x.npy", latents.numpy())`)
 * to `npm run render -- --latents x.npy` and compare images. float32, float64 and float16 arrays are
 * accepted; the spec is numpy's NEP 1 ("A simple file format for NumPy arrays").
 */
import { readFile } from 'node:fs/promises';
import { float16ToFloat32 } from '../diffusion/float16.js';
import { UsageError } from './usage-error.js';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = '\x93NUMPY';

/** Parses .npy bytes; throws a UsageError with one sentence when the file is not a supported array. */
export function parseNpy(bytes: Uint8Array, name = 'the .npy file'): NpyArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) throw new UsageError(`${name} is not a NumPy .npy file.`);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new UsageError(`${name} has a header numpy would not write.`);
  if (fortran === 'True') throw new UsageError(`${name} is in Fortran order; save it with np.ascontiguousarray first.`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLength;
  const body = bytes.subarray(offset);
  const sizes: Record<string, number> = { '<f4': 4, '<f8': 8, '<f2': 2 };
  const size = sizes[descr];
  if (!size) throw new UsageError(`${name} holds ${descr} values; use float32 (<f4), float64 or float16.`);
  if (body.length < count * size) throw new UsageError(`${name} is cut short: shape (${shape.join(', ')}) needs ${count * size} bytes, found ${body.length}.`);
  const data = new Float32Array(count);
  const bodyView = new DataView(body.buffer, body.byteOffset, count * size);
  if (descr === '<f4') for (let i = 0; i < count; i++) data[i] = bodyView.getFloat32(i * 4, true);
  else if (descr === '<f8') for (let i = 0; i < count; i++) data[i] = bodyView.getFloat64(i * 8, true);
  else {
    const half = new Uint16Array(count);
    for (let i = 0; i < count; i++) half[i] = bodyView.getUint16(i * 2, true);
    float16ToFloat32(half, data);
  }
  return { shape, data };
}

/** Reads a .npy file from disk. */
export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`${path} cannot be read.`);
  }
  return parseNpy(bytes, path);
}

/** Writes a float32 array as .npy bytes (version 1.0), e.g. to save latents for a later run. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, with a closing newline (NEP 1).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length * 4);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}
