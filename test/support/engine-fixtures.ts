/**
 * Extra model folders for the engine tests, made from the project's own toy model: an fp16 export
 * (float16 sample / timestep / encoder_hidden_states / out_sample around the same exact denoiser), an
 * LCM-style UNet with a timestep_cond input, and broken folders (no unet, no model_index.json,
 * a garbage unet, a text encoder without input_ids). Each is a copy of models/toy in a fresh temp
 * folder with one file replaced, so they exercise the same detection code real downloads do.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxGraphBuilder } from '../../src/onnx/index.js';
import { toyWeights, TOY_DIM, LATENT_CHANNELS } from '../../src/toy-model/toy-spec.js';
import { addToyDenoiser } from '../../src/toy-model/toy-unet-graph.js';
import { ClipTokenizer } from '../../src/tokenizer/clip-tokenizer.js';

const FLOAT = 1;
const FLOAT16 = 10;

async function vocabSize(toyDir: string): Promise<number> {
  // The toy weights are a function of the vocabulary size (BOS and EOS are its last two ids).
  const tokenizer = await ClipTokenizer.fromFolder(toyDir);
  return Math.max(tokenizer.bosId, tokenizer.eosId) + 1;
}

/** The toy denoiser with float16 inputs and output (Cast in, Cast out), as fp16 exports are. */
export async function fp16Unet(toyDir: string): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('toy_unet_fp16');
  const sample = g.input('sample', 'float16', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const timestep = g.input('timestep', 'float16', ['batch']);
  const hidden = g.input('encoder_hidden_states', 'float16', ['batch', 'sequence', TOY_DIM]);
  const f = (v: string) => g.op('Cast', [v], { to: FLOAT });
  const weights = toyWeights(await vocabSize(toyDir));
  const { output } = addToyDenoiser(g, weights, { sample: f(sample), timestep: f(timestep), hidden: f(hidden) }, {
    timestep: 'float',
    prediction: 'epsilon',
    inpaint: false,
  });
  g.output(g.op('Cast', [output], { to: FLOAT16 }), 'out_sample', 'float16', ['batch', LATENT_CHANNELS, 'height', 'width']);
  return g.serialize();
}

/**
 * The toy denoiser plus LCM's timestep_cond [B, 256] input. The toy has no use for the guidance
 * embedding, so it is added times 0 (the graph still needs it fed with the right shape).
 */
export async function lcmUnet(toyDir: string): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('toy_unet_lcm');
  const sample = g.input('sample', 'float', ['batch', LATENT_CHANNELS, 'height', 'width']);
  const timestep = g.input('timestep', 'int64', ['batch']);
  const hidden = g.input('encoder_hidden_states', 'float', ['batch', 'sequence', TOY_DIM]);
  const cond = g.input('timestep_cond', 'float', ['batch', 256]);
  const weights = toyWeights(await vocabSize(toyDir));
  const { output } = addToyDenoiser(g, weights, { sample, timestep, hidden }, { timestep: 'int64', prediction: 'epsilon', inpaint: false });
  const zero = g.op('Mul', [g.op('ReduceSum', [cond], { keepdims: 0 }), g.constFloat([0], [])]);
  g.output(g.op('Add', [output, zero]), 'out_sample', 'float', ['batch', LATENT_CHANNELS, 'height', 'width']);
  return g.serialize();
}

/** A text encoder that takes `tokens` instead of `input_ids`. */
function wrongTextEncoder(): Uint8Array {
  const g = new OnnxGraphBuilder('wrong_text_encoder');
  const tokens = g.input('tokens', 'int32', [1, 77]);
  const asFloat = g.op('Cast', [tokens], { to: FLOAT });
  const expanded = g.op('Expand', [g.op('Unsqueeze', [asFloat, g.constInt64([2])]), g.constInt64([1, 77, TOY_DIM])]);
  g.output(expanded, 'last_hidden_state', 'float', [1, 77, TOY_DIM]);
  return g.serialize();
}

export interface FixtureFolders {
  root: string;
  fp16: string;
  lcm: string;
  noUnet: string;
  noIndex: string;
  garbageUnet: string;
  wrongTextEncoder: string;
  cleanup(): void;
}

/** Copies of `toyDir` with one thing changed each, under a fresh temp folder. */
export async function makeFixtureFolders(toyDir: string): Promise<FixtureFolders> {
  const root = mkdtempSync(join(tmpdir(), 'taleframe-engine-'));
  const copy = (name: string) => {
    const dir = join(root, name);
    cpSync(toyDir, dir, { recursive: true });
    return dir;
  };
  const fp16 = copy('toy-fp16');
  writeFileSync(join(fp16, 'unet/model.onnx'), await fp16Unet(toyDir));
  const lcm = copy('toy-lcm');
  writeFileSync(join(lcm, 'unet/model.onnx'), await lcmUnet(toyDir));
  writeFileSync(
    join(lcm, 'scheduler/scheduler_config.json'),
    JSON.stringify({ _class_name: 'LCMScheduler', beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', original_inference_steps: 50, timestep_spacing: 'leading', steps_offset: 1, set_alpha_to_one: true }),
  );
  const noUnet = copy('no-unet');
  rmSync(join(noUnet, 'unet'), { recursive: true });
  const noIndex = copy('no-index');
  rmSync(join(noIndex, 'model_index.json'));
  const garbageUnet = copy('garbage-unet');
  writeFileSync(join(garbageUnet, 'unet/model.onnx'), 'this is not an onnx file\n');
  const wrong = copy('wrong-text-encoder');
  writeFileSync(join(wrong, 'text_encoder/model.onnx'), wrongTextEncoder());
  return { root, fp16, lcm, noUnet, noIndex, garbageUnet, wrongTextEncoder: wrong, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
