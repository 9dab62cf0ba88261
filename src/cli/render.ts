/**
 * `npm run render`: one render from the command line with the same engine the worker uses, for
 * trying a model folder, reproducing a draft, or comparing with diffusers (--latents takes a .npy of
 * starting noise). Prints the settings used and the time spent in each model. Bad input of any kind
 * prints one sentence and exits with code 2; there is never a stack trace for a user mistake.
 */
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';
import { loadConfigFromEnvironment } from '../process/env-file.js';
import { DiffusionEngine } from '../diffusion/engine.js';
import { ModelFolderError } from '../diffusion/model-folder-error.js';
import { gridPng, loadImageAt, loadMask, rgbToPng } from '../diffusion/png.js';
import { RenderInputError } from '../diffusion/render-input-error.js';
import type { RenderRequest } from '../diffusion/render-types.js';
import { readNpy } from './npy.js';
import { parseRenderArgs, RENDER_USAGE } from './render-args.js';
import { UsageError } from './usage-error.js';

const ms = (value: number) => `${Math.round(value)} ms`;

async function main(argv: string[]): Promise<void> {
  const args = parseRenderArgs(argv);
  if (args.help) {
    console.log(RENDER_USAGE);
    return;
  }
  const config = loadConfigFromEnvironment();
  const modelDir = args.model ?? config.MODEL_DIR;
  const loadStart = performance.now();
  const engine = await DiffusionEngine.load(modelDir, DiffusionEngine.optionsFromConfig(config));
  const loadMs = performance.now() - loadStart;
  // Without --width/--height: the model's native size when its folder states one (issue 11).
  const width = args.width ?? engine.nativeSize ?? config.RENDER_WIDTH;
  const height = args.height ?? engine.nativeSize ?? config.RENDER_HEIGHT;
  const init = args.init ? await readImage(args.init, () => loadImageAt(args.init!, width, height)) : undefined;
  const mask = args.mask ? await readImage(args.mask, () => loadMask(args.mask!, width, height)) : undefined;
  let latents: Float32Array | undefined;
  if (args.latents) latents = (await readNpy(args.latents)).data;
  const request: RenderRequest = {
    prompt: args.prompt,
    negativePrompt: args.negative,
    seed: args.seed ?? randomInt(0, 2 ** 31),
    steps: args.steps ?? config.RENDER_STEPS,
    guidance: args.guidance ?? config.RENDER_GUIDANCE,
    scheduler: args.scheduler,
    width,
    height,
    variants: args.variants,
    init,
    strength: args.strength,
    mask,
    latents,
  };
  const model = engine.describe();
  console.log(`model     ${model.dir} (UNet ${model.unetChannels}-channel, timestep ${model.timestep}, D ${model.hiddenSize}${model.fp16 ? ', fp16' : ''}${model.lcm ? ', LCM' : ''}), loaded in ${ms(loadMs)}`);
  console.log(`prompt    ${JSON.stringify(request.prompt)}${request.negativePrompt ? `  negative ${JSON.stringify(request.negativePrompt)}` : ''}`);
  console.log(`settings  seed ${request.seed}, ${request.steps} steps, guidance ${request.guidance}, scheduler ${request.scheduler ?? model.scheduler}, ${width}x${height}, ${request.variants} variant(s)${init ? `, init ${args.init} strength ${request.strength ?? (mask ? 1 : 0.8)}` : ''}${mask ? `, mask ${args.mask}` : ''}`);
  const result = await engine.render(request);
  for (const warning of result.warnings) console.log(`warning   ${warning}`);
  if (result.renderedAt) console.log(`size      rendered at ${result.renderedAt.width}x${result.renderedAt.height} (native), upscaled to ${width}x${height}`);
  const t = result.timings;
  console.log(`time      text encoder ${ms(t.textEncoderMs)}, UNet ${ms(t.unetMs)} (${t.unetCalls} calls, ${ms(t.unetMs / Math.max(1, t.unetCalls))} each), VAE encoder ${ms(t.vaeEncoderMs)}, VAE decoder ${ms(t.vaeDecoderMs)}; total ${ms(result.totalMs)}`);
  await mkdir(dirname(args.out), { recursive: true });
  if (result.images.length === 1) {
    await writeFile(args.out, await rgbToPng(result.images[0]));
    console.log(`wrote     ${args.out}`);
  } else {
    const stem = args.out.slice(0, -'.png'.length);
    for (const [i, image] of result.images.entries()) {
      await writeFile(`${stem}-${i + 1}.png`, await rgbToPng(image));
      console.log(`wrote     ${stem}-${i + 1}.png (seed ${result.seeds[i]})`);
    }
    await writeFile(args.out, await gridPng(result.images));
    console.log(`wrote     ${args.out} (grid)`);
  }
  await engine.release();
}

/** Image files that sharp cannot read become one sentence. */
async function readImage<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    throw new UsageError(`${path} cannot be read as an image.`);
  }
}

const USER_ERRORS = [UsageError, ConfigError, ModelFolderError, RenderInputError];

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (USER_ERRORS.some((kind) => error instanceof kind)) {
    console.error(message);
    process.exit(2);
  }
  console.error(`render failed: ${message.split('\n')[0]}`);
  process.exit(1);
});
