/**
 * Public surface of the toy model builder: `ensureToyModels` for scripts and test setup, the variant
 * list, and the closed-form reference plus spec constants for tests that check the ONNX files.
 */
export { ensureToyModels, TOY_BUILD_VERSION } from './ensure-toy-models.js';
export type { ToyBuildReport } from './ensure-toy-models.js';
export { TOY_VARIANTS, writeModelFolder } from './model-folders.js';
export type { ToyVariant } from './model-folders.js';
export { learnToyTokenizer, tokenizerFiles, bytesToUnicode, BOS_TOKEN, EOS_TOKEN } from './toy-tokenizer.js';
export type { ToyTokenizer } from './toy-tokenizer.js';
export { dctRows, lowBandVariances, pooledDirection, scaleLowBand, sigmaAt, toyDenoise, toyMean, toySpread, toySpreads } from './toy-reference.js';
export type { ToyPrediction } from './toy-reference.js';
export {
  alphasCumprod, LATENT_TO_RGB, LO_FREQS, rgbToLatent, SCALING_FACTOR, SPREAD_HI, SPREAD_MAX, SPREAD_MIN, TOY_DIM, toyWeights,
  trainSigmas,
} from './toy-spec.js';
export type { ToyWeights } from './toy-spec.js';
export { buildToyUnet, buildToyUnetExternal, addToyDenoiser } from './toy-unet-graph.js';
export type { TimestepContract, ToyUnetOptions } from './toy-unet-graph.js';
export { buildBenchUnet, BENCH_WIDTHS } from './bench-unet-graph.js';
export { buildToyTextEncoder, buildToyVaeDecoder, buildToyVaeEncoder, LOGVAR } from './toy-text-vae-graphs.js';
