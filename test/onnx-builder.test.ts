/**
 * The ONNX graph builder writes files onnxruntime-node loads and runs: symbolic and fixed dims, rank-0
 * inputs, float/int64/int32 initializers, INT/INTS/FLOAT attributes, and byte-identical rebuilds.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { float, modelProtoType, OnnxGraphBuilder } from '../src/onnx/index.js';

function buildAffine(): Uint8Array {
  const g = new OnnxGraphBuilder('affine');
  const x = g.input('x', 'float', ['batch', 3]);
  const s = g.input('s', 'float', []);
  const w = g.initializer('w', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
  const y = g.op('Mul', [g.op('MatMul', [x, w]), s]);
  // Opset 17: ReduceSum takes its axes as an input (since 13); ReduceMean still as an attribute.
  const idx = g.initializer('idx', Int32Array.from([1]), [1]);
  const picked = g.op('Gather', [y, idx], { axis: 1 });
  const shift = g.initializer('shift', BigInt64Array.from([2n]), [1]);
  const lifted = g.op('Add', [picked, g.op('Cast', [shift], { to: 1 })]);
  g.output(g.op('Elu', [lifted], { alpha: float(1) }), 'y', 'float', ['batch', 1]);
  g.output(g.op('ReduceSum', [y, g.constInt64([0, 1])], { keepdims: 0 }), 'total', 'float', []);
  return g.serialize({ metadata: { purpose: 'test' } });
}

describe('OnnxGraphBuilder', () => {
  it('writes a model onnxruntime runs with the declared metadata', async () => {
    const session = await ort.InferenceSession.create(buildAffine());
    expect(session.inputNames).toEqual(['x', 's']);
    expect(session.outputNames).toEqual(['y', 'total']);
    const meta = session.inputMetadata as unknown as Array<{ name: string; isTensor: boolean; shape: unknown[]; type: string }>;
    expect(meta[0]).toMatchObject({ name: 'x', type: 'float32', shape: ['batch', 3] });
    expect(meta[1]).toMatchObject({ name: 's', type: 'float32', shape: [] });
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 0, 0, 0, 1, 1]), [2, 3]),
      s: new ort.Tensor('float32', Float32Array.from([0.5]), []),
    });
    // x @ w = [[1,2],[8,10]] -> * 0.5 = [[0.5,1],[4,5]]; column 1 + 2 = [3, 7]; Elu is identity above 0.
    expect(Array.from(out.y.data as Float32Array)).toEqual([3, 7]);
    expect(out.y.dims).toEqual([2, 1]);
    expect(out.total.dims).toEqual([]);
    expect(out.total.data[0]).toBeCloseTo(10.5, 6);
    await session.release();
  });

  it('is deterministic and decodes back to the fields it wrote', () => {
    const a = buildAffine();
    const b = buildAffine();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const model = modelProtoType().toObject(modelProtoType().decode(a), { longs: Number }) as {
      ir_version: number; opset_import: Array<{ version: number }>; metadata_props: Array<{ key: string; value: string }>;
      graph: { initializer: Array<{ name: string; data_type: number; dims: number[] }> };
    };
    expect(model.ir_version).toBe(8);
    expect(model.opset_import[0].version).toBe(17);
    expect(model.metadata_props).toEqual([{ key: 'purpose', value: 'test' }]);
    expect(model.graph.initializer.map((t) => [t.name, t.data_type, t.dims])).toEqual([
      ['w', 1, [3, 2]], ['idx', 6, [1]], ['shift', 7, [1]], ['const_i_7', 7, [2]],
    ]);
  });

  it('refuses an initializer whose dims do not match its data', () => {
    const g = new OnnxGraphBuilder('bad');
    expect(() => g.initializer('w', new Float32Array(5), [2, 3])).toThrow(/dims \[2,3\] hold 6 values/);
  });
});
