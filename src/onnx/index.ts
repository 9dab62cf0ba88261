/**
 * Public surface of the tiny ONNX graph builder: the builder class, its attribute helpers and the
 * onnx.proto subset it encodes with (exposed so tests can decode what was written).
 */
export { OnnxGraphBuilder, float, floats } from './graph-builder.js';
export type { AttrValue, Dim, SerializeOptions, TensorData } from './graph-builder.js';
export { modelProtoType, onnxProtoRoot, OnnxDataType, OnnxAttributeType } from './onnx-proto.js';
export type { OnnxDtype } from './onnx-proto.js';
export { EXTERNAL_DATA_LOCATION, splitExternalData } from './external-data.js';
export type { ExternalDataOptions } from './external-data.js';
export { readExternalDataRefs } from './external-data-refs.js';
export type { ExternalDataRef } from './external-data-refs.js';
