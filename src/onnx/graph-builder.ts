/**
 * A small fluent builder for ONNX graphs, used by the models/ scripts to write the project's own toy
 * models without Python. It names intermediate values automatically, stores initializers as
 * little-endian raw_data, declares inputs/outputs with fixed or symbolic dims (dim_value / dim_param),
 * and serializes with protobufjs to an ordinary ModelProto (ir_version 8, default-domain opset 17).
 * The same graph always serializes to the same bytes: names come from a counter, never from time.
 *
 * @example
 *   const g = new OnnxGraphBuilder('double');
 *   const x = g.input('x', 'float', ['batch', 3]);
 *   g.output(g.op('Mul', [x, g.constFloat([2])]), 'y', 'float', ['batch', 3]);
 *   const bytes = g.serialize();
 */
import { splitExternalData, type ExternalDataOptions } from './external-data.js';
import { modelProtoType, OnnxAttributeType, OnnxDataType, type OnnxDtype } from './onnx-proto.js';

/** A dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

/** Initializer payloads the builder accepts (float32, int64, int32). */
export type TensorData = Float32Array | BigInt64Array | Int32Array;

/** An attribute value: integers and integer lists become INT/INTS, strings STRING; wrap floats. */
export type AttrValue =
  | number
  | number[]
  | string
  | { float: number }
  | { floats: number[] };

/** A float attribute (so `1` is not taken for an INT). */
export const float = (value: number): { float: number } => ({ float: value });
/** A float-list attribute. */
export const floats = (values: number[]): { floats: number[] } => ({ floats: values });

export interface SerializeOptions {
  producerName?: string;
  docString?: string;
  /** Written as ModelProto.metadata_props, in the order given. */
  metadata?: Record<string, string>;
}

/** Builds one ONNX graph; see the module comment for an example. */
export class OnnxGraphBuilder {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** Declares a graph input and returns its value name. */
  input(name: string, dtype: OnnxDtype, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declares `value` as a graph output named `name` (through Identity when the names differ). */
  output(value: string, name: string, dtype: OnnxDtype, dims: Dim[]): string {
    if (value !== name) this.op('Identity', [value], {}, [name]);
    this.outputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Adds a named initializer (a constant weight) and returns its name. */
  initializer(name: string, data: TensorData, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new Error(`initializer ${name}: dims [${dims}] hold ${count} values, data has ${data.length}`);
    }
    this.initializers.push({ name, dims, data_type: OnnxDataType[dtypeOf(data)], raw_data: littleEndianBytes(data) });
    return name;
  }

  /** An anonymous float32 constant (rank 1 unless `dims` says otherwise; `[]` is a scalar). */
  constFloat(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const_f'), Float32Array.from(values), dims);
  }

  /** An anonymous int64 constant (rank 1 unless `dims` says otherwise; `[]` is a scalar). */
  constInt64(values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const_i'), BigInt64Array.from(values.map(BigInt)), dims);
  }

  /** Adds one node with a single output and returns the output's value name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs?: string[]): string {
    return this.opMulti(opType, inputs, attrs, outputs ?? 1)[0];
  }

  /** Adds one node; `outputs` is either the output names or how many to name automatically. */
  opMulti(opType: string, inputs: string[], attrs: Record<string, AttrValue>, outputs: number | string[]): string[] {
    const id = this.counter++;
    const names = typeof outputs === 'number'
      ? Array.from({ length: outputs }, (_, k) => `${opType.toLowerCase()}_${id}${outputs > 1 ? `_${k}` : ''}`)
      : outputs;
    this.nodes.push({
      input: inputs,
      output: names,
      name: `${opType}_${id}`,
      op_type: opType,
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
    return names;
  }

  /** The ModelProto as a plain object (what `serialize` encodes). */
  toModelObject(options: SerializeOptions = {}): object {
    return {
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      producer_name: options.producerName ?? 'taleframe-onnx-builder',
      producer_version: '1',
      model_version: 1,
      doc_string: options.docString ?? '',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }

  /** Encodes the model to ONNX bytes. */
  serialize(options: SerializeOptions = {}): Uint8Array {
    const type = modelProtoType();
    return type.encode(type.fromObject(this.toModelObject(options))).finish();
  }

  /**
   * Encodes the model with initializers of `external.threshold` bytes or more moved to one external
   * data file (see external-data.ts). Write `data` to `external.location` next to the .onnx file.
   * @example
   *   const { model, data } = g.serializeWithExternalData({ location: 'weights.pb' });
   *   writeFileSync('unet/model.onnx', model); writeFileSync('unet/weights.pb', data);
   */
  serializeWithExternalData(external: ExternalDataOptions, options: SerializeOptions = {}): { model: Uint8Array; data: Uint8Array } {
    const object = this.toModelObject(options) as { graph: { initializer: object[] } };
    // Shallow copies: the builder keeps its own initializers (with raw_data) for plain serialize().
    const initializers = object.graph.initializer.map((t) => ({ ...(t as { name: string }) }));
    object.graph.initializer = initializers;
    const data = splitExternalData(initializers, external);
    const type = modelProtoType();
    return { model: type.encode(type.fromObject(object)).finish(), data };
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}

function valueInfo(name: string, dtype: OnnxDtype, dims: Dim[]): object {
  const dim = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  // An empty `shape` message (no dims) means rank 0; leaving shape out would mean "unknown rank".
  return { name, type: { tensor_type: { elem_type: OnnxDataType[dtype], shape: { dim } } } };
}

function attribute(name: string, value: AttrValue): object {
  if (typeof value === 'string') {
    return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; wrap floats with float()`);
    return { name, type: OnnxAttributeType.INT, i: value };
  }
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new Error(`attribute ${name}: [${value}] has non-integers; use floats()`);
    return { name, type: OnnxAttributeType.INTS, ints: value };
  }
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
}

function dtypeOf(data: TensorData): OnnxDtype {
  if (data instanceof Float32Array) return 'float';
  if (data instanceof BigInt64Array) return 'int64';
  return 'int32';
}

/** ONNX raw_data is little-endian whatever the host; DataView makes that explicit. */
function littleEndianBytes(data: TensorData): Uint8Array {
  const out = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => view.setInt32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}
