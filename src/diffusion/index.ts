/**
 * Public surface of the render engine (worker side only; the bot process never imports this folder):
 * the engine and its request/result types, the errors callers sort on, the sharp adapters and the
 * bench helpers. Everything else in src/diffusion is internal.
 */
export { DiffusionEngine, type EngineOptions, type ModelDescription } from './engine.js';
export type { RenderRequest, RenderResult, RenderTimings, StepProgress } from './render-types.js';
export { ModelFolderError } from './model-folder-error.js';
export { RenderInputError } from './render-input-error.js';
export { RenderCancelled } from './render-cancelled.js';
export {
  decodeImage,
  gridImage,
  gridPng,
  grayToPng,
  loadImageAt,
  loadMask,
  loadPaintedCopyMask,
  resizeRgb,
  rgbToPng,
  type FitMode,
  type ImageInput,
} from './png.js';
export { paintedCopyMask, type PaintedMaskOptions } from './painted-mask.js';
export { compareBatching, measureSteps, type BatchingComparison, type StepTiming } from './engine-bench.js';
export { sessionSettingsFromConfig, type SessionSettings } from './model-sessions.js';
