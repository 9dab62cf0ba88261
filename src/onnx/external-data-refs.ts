/**
 * Lists the external data an ONNX file refers to without loading it: a protobuf wire-format walk
 * over ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto name (8), external_data (13,
 * StringStringEntryProto key 1 / value 2) and data_location (14), field numbers from onnx/onnx.proto.
 * Everything else, raw_data included, is skipped by seeking, so a 1.7 GB UNet with embedded weights
 * costs a few hundred small reads rather than a full load. The model loader uses it to name a missing
 * weights.pb / model.onnx_data in one sentence before onnxruntime fails with a cryptic one. Limits:
 * initializers of subgraphs (If / Loop bodies) and sparse initializers are not visited; Stable
 * Diffusion exports keep their weights in the main graph.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** One initializer stored outside the .onnx file. */
export interface ExternalDataRef {
  tensor: string;
  /** As written: relative to the .onnx file's folder. */
  location: string;
  offset: number;
  /** undefined = to the end of the file. */
  length?: number;
}

const WINDOW = 64 * 1024;

/** Buffered random access to a file, so many small reads cost few syscalls. */
class FileWindow {
  private buf = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly fh: FileHandle, readonly size: number) {}

  async bytes(pos: number, len: number): Promise<Buffer> {
    if (pos < 0 || pos + len > this.size) throw new Error('the file ends inside a protobuf field');
    if (pos >= this.start && pos + len <= this.start + this.buf.length) return this.buf.subarray(pos - this.start, pos - this.start + len);
    const buf = Buffer.alloc(Math.min(Math.max(len, WINDOW), this.size - pos));
    await this.fh.read(buf, 0, buf.length, pos);
    this.buf = buf;
    this.start = pos;
    return buf.subarray(0, len);
  }

  /** A base-128 varint at `pos` (as a JS number: exact up to 2^53, plenty for sizes and tags). */
  async varint(pos: number): Promise<{ value: number; next: number }> {
    const b = await this.bytes(pos, Math.min(10, this.size - pos));
    let value = 0;
    for (let i = 0; i < b.length; i++) {
      value += (b[i] & 0x7f) * 2 ** (7 * i);
      if (b[i] < 0x80) return { value, next: pos + i + 1 };
    }
    throw new Error('a protobuf varint does not end');
  }
}

type FieldVisitor = (field: number, wire: number, start: number, end: number, varint: number) => Promise<void>;

/** Calls `visit` for every field of the message in [start, end); length-delimited fields are not read. */
async function walk(file: FileWindow, start: number, end: number, visit: FieldVisitor): Promise<void> {
  let pos = start;
  while (pos < end) {
    const tag = await file.varint(pos);
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    pos = tag.next;
    if (wire === 0) {
      const v = await file.varint(pos);
      await visit(field, wire, pos, v.next, v.value);
      pos = v.next;
    } else if (wire === 2) {
      const len = await file.varint(pos);
      await visit(field, wire, len.next, len.next + len.value, 0);
      pos = len.next + len.value;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`protobuf wire type ${wire} is not used by ONNX`);
    }
  }
  if (pos !== end) throw new Error('a protobuf message overruns its length');
}

async function text(file: FileWindow, start: number, end: number): Promise<string> {
  return (await file.bytes(start, end - start)).toString('utf8');
}

async function readTensor(file: FileWindow, start: number, end: number): Promise<ExternalDataRef | undefined> {
  let name = '';
  let external = false;
  const entries = new Map<string, string>();
  await walk(file, start, end, async (field, wire, s, e, v) => {
    if (field === 8 && wire === 2) name = await text(file, s, e);
    else if (field === 14 && wire === 0) external = v === 1;
    else if (field === 13 && wire === 2) {
      let key = '';
      let value = '';
      await walk(file, s, e, async (f, w, s2, e2) => {
        if (f === 1 && w === 2) key = await text(file, s2, e2);
        else if (f === 2 && w === 2) value = await text(file, s2, e2);
      });
      entries.set(key, value);
    }
  });
  if (!external) return undefined;
  const location = entries.get('location') ?? '';
  const length = entries.get('length');
  return { tensor: name, location, offset: Number(entries.get('offset') ?? 0), length: length === undefined ? undefined : Number(length) };
}

/**
 * The main graph's initializers stored externally, in file order. Throws when the file is not a
 * well-formed protobuf (callers leave that to onnxruntime's own message).
 * @example (await readExternalDataRefs('models/toy-external/unet/model.onnx'))[0].location // 'weights.pb'
 */
export async function readExternalDataRefs(modelPath: string): Promise<ExternalDataRef[]> {
  const fh = await open(modelPath, 'r');
  try {
    const file = new FileWindow(fh, (await fh.stat()).size);
    const refs: ExternalDataRef[] = [];
    await walk(file, 0, file.size, async (field, wire, start, end) => {
      if (field !== 7 || wire !== 2) return;
      await walk(file, start, end, async (f, w, s, e) => {
        if (f !== 5 || w !== 2) return;
        const ref = await readTensor(file, s, e);
        if (ref) refs.push(ref);
      });
    });
    return refs;
  } finally {
    await fh.close();
  }
}
