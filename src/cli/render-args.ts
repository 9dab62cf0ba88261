/**
 * Command-line options of `npm run render` (node:util parseArgs), checked into a typed shape. Every
 * mistake becomes one UsageError sentence naming the option and its value; render.ts prints it and
 * exits with code 2. Numbers the engine checks itself (multiples of 8, strength range) are left to
 * the engine so the rule lives in one place.
 */
import { isSchedulerName, SCHEDULER_NAMES, type SchedulerName } from '../core/schedulers/index.js';
import { numberOption, parseOptions } from './cli-options.js';
import { UsageError } from './usage-error.js';

export interface RenderArgs {
  model?: string;
  prompt: string;
  negative?: string;
  seed?: number;
  steps?: number;
  guidance?: number;
  scheduler?: SchedulerName;
  width?: number;
  height?: number;
  init?: string;
  strength?: number;
  mask?: string;
  latents?: string;
  variants: number;
  out: string;
  help: boolean;
}

export const RENDER_USAGE = `Usage: npm run render -- --model DIR --prompt TEXT --out FILE.png
  [--negative TEXT] [--seed N] [--steps N] [--guidance G] [--scheduler ${SCHEDULER_NAMES.join('|')}]
  [--width W --height H] [--init IMG --strength S] [--mask IMG] [--latents FILE.npy] [--variants N]`;

/** Parses argv (without node and the script path). */
export function parseRenderArgs(argv: string[]): RenderArgs {
  const values = parseOptions(argv, {
    model: { type: 'string' },
    prompt: { type: 'string' },
    negative: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    guidance: { type: 'string' },
    scheduler: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    init: { type: 'string' },
    strength: { type: 'string' },
    mask: { type: 'string' },
    latents: { type: 'string' },
    variants: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { prompt: '', variants: 1, out: '', help: true };
  if (values.prompt === undefined) throw new UsageError('--prompt is missing.');
  if (values.out === undefined) throw new UsageError('--out is missing (the PNG file to write).');
  if (!values.out.toLowerCase().endsWith('.png')) throw new UsageError(`--out ${values.out} does not end in .png.`);
  if (values.scheduler !== undefined && !isSchedulerName(values.scheduler)) {
    throw new UsageError(`--scheduler ${values.scheduler} is not one of ${SCHEDULER_NAMES.join(', ')}.`);
  }
  if (values.strength !== undefined && values.init === undefined) throw new UsageError('--strength needs --init.');
  if (values.mask !== undefined && values.init === undefined) throw new UsageError('--mask needs --init (the image to paint into).');
  return {
    model: values.model,
    prompt: values.prompt,
    negative: values.negative,
    seed: numberOption('seed', values.seed, { integer: true }),
    steps: numberOption('steps', values.steps, { integer: true }),
    guidance: numberOption('guidance', values.guidance, { integer: false }),
    scheduler: values.scheduler as SchedulerName | undefined,
    width: numberOption('width', values.width, { integer: true }),
    height: numberOption('height', values.height, { integer: true }),
    init: values.init,
    strength: numberOption('strength', values.strength, { integer: false }),
    mask: values.mask,
    latents: values.latents,
    variants: numberOption('variants', values.variants, { integer: true }) ?? 1,
    out: values.out,
    help: false,
  };
}
