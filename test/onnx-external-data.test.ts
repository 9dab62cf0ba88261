/**
 * External weight files written by the graph builder: initializers at or above the threshold move to
 * one file (data_location EXTERNAL, location / offset / length entries, onnx docs/ExternalData.md),
 * onnxruntime-node loads the pair from the .onnx path with 4096-aligned and with packed offsets, the
 * wire-format scanner reads the references back, and the bytes are deterministic.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { modelProtoType, OnnxGraphBuilder, readExternalDataRefs, type ExternalDataOptions } from '../src/onnx/index.js';

const dir = mkdtempSync(join(tmpdir(), 'taleframe-onnx-external-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** y = x @ W + b with W [300, 3] (3600 bytes: external) and b [3] (12 bytes: stays inline). */
function build(external: ExternalDataOptions): { model: Uint8Array; data: Uint8Array } {
  const g = new OnnxGraphBuilder('external');
  const x = g.input('x', 'float', ['batch', 300]);
  const w = g.initializer('w', Float32Array.from({ length: 900 }, (_, i) => (i % 7) - 3), [300, 3]);
  const v = g.initializer('v', Float32Array.from({ length: 300 }, (_, i) => i / 300), [300]);
  const b = g.initializer('b', Float32Array.from([0.5, -1, 2]), [3]);
  const xv = g.op('Mul', [x, v]);
  g.output(g.op('Add', [g.op('MatMul', [xv, w]), b]), 'y', 'float', ['batch', 3]);
  return g.serializeWithExternalData(external);
}

async function runPair(name: string, external: ExternalDataOptions): Promise<Float32Array> {
  const { model, data } = build(external);
  const sub = join(dir, name);
  rmSync(sub, { recursive: true, force: true });
  const path = join(sub, 'model.onnx');
  mkdirSync(sub, { recursive: true });
  writeFileSync(path, model);
  writeFileSync(join(sub, external.location), data);
  const session = await ort.InferenceSession.create(path);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)), [1, 300]);
  const out = await session.run({ x });
  await session.release();
  return out.y.data as Float32Array;
}

function expected(): number[] {
  const y = [0.5, -1, 2];
  for (let i = 0; i < 300; i++) for (let k = 0; k < 3; k++) y[k] += Math.sin(i) * (i / 300) * (((i * 3 + k) % 7) - 3);
  return y;
}

describe('serializeWithExternalData', () => {
  it('moves large initializers out, aligned to 4096 by default', async () => {
    const { model, data } = build({ location: 'weights.pb' });
    const decoded = modelProtoType().toObject(modelProtoType().decode(model), { longs: Number, enums: Number }) as {
      graph: { initializer: Array<{ name: string; raw_data?: Uint8Array; data_location?: number; external_data?: { key: string; value: string }[] }> };
    };
    const [w, v, b] = decoded.graph.initializer;
    expect(w.raw_data).toBeUndefined();
    expect(w.data_location).toBe(1);
    expect(w.external_data).toEqual([{ key: 'location', value: 'weights.pb' }, { key: 'offset', value: '0' }, { key: 'length', value: '3600' }]);
    expect(v.external_data?.[1]).toEqual({ key: 'offset', value: '4096' });
    expect(b.raw_data?.length).toBe(12);
    expect(b.data_location ?? 0).toBe(0);
    expect(data.length).toBe(4096 + 1200);
    const again = build({ location: 'weights.pb' });
    expect(Buffer.from(again.model).equals(Buffer.from(model)) && Buffer.from(again.data).equals(Buffer.from(data))).toBe(true);
  });

  it.each([
    ['aligned', { location: 'weights.pb' }],
    ['packed', { location: 'model.onnx_data', align: 1 }],
    ['threshold 0', { location: 'weights.pb', threshold: 0, align: 64 }],
  ] as const)('onnxruntime-node runs the %s pair from the file path', async (name, options) => {
    const y = await runPair(name, options);
    expected().forEach((v, k) => expect(y[k]).toBeCloseTo(v, 3));
  });

  it('the scanner lists each external initializer with its location, offset and length', async () => {
    await runPair('scan', { location: 'model.onnx_data', align: 1 });
    expect(await readExternalDataRefs(join(dir, 'scan', 'model.onnx'))).toEqual([
      { tensor: 'w', location: 'model.onnx_data', offset: 0, length: 3600 },
      { tensor: 'v', location: 'model.onnx_data', offset: 3600, length: 1200 },
    ]);
  });

  it('refuses locations outside the model folder', () => {
    expect(() => build({ location: '../weights.pb' })).toThrow(/must be a relative path inside the model's folder/);
    expect(() => build({ location: '/tmp/weights.pb' })).toThrow(/must be a relative path/);
  });
});
