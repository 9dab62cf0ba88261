/**
 * Command-line options of `npm run budget:calibrate` and `npm run budget:eval` (node:util parseArgs),
 * checked into typed shapes. A mistake becomes one UsageError sentence naming the option and value;
 * the CLIs print it and exit with code 2.
 */
import { BUDGET_QUALITIES, type BudgetQuality } from '../core/budget/budget-rule.js';
import { numberOption, parseOptions } from './cli-options.js';
import { UsageError } from './usage-error.js';

export interface BudgetArgs {
  model?: string;
  prompts?: string;
  limit?: number;
  size?: number;
  seed?: number;
  /** budget:eval: render each prompt with this many seeds, from --seed on. */
  seeds?: number;
  guidance?: number;
  grid?: number[];
  clip?: string;
  qualities?: BudgetQuality[];
  report?: string;
  /** budget:calibrate: the curve records file and the budget.json to write (defaults: in DIR). */
  curves?: string;
  out?: string;
  help: boolean;
}

export const CALIBRATE_USAGE = `Usage: npm run budget:calibrate -- --model DIR [--prompts FILE] [--limit N] [--size 64]
  [--seed N] [--guidance G] [--grid 4,6,8,...,50] [--clip CLIP_VISION_DIR] [--curves FILE] [--out FILE]
Renders each training prompt at every step count, appends curves to DIR/budget-curves.jsonl (--curves)
and writes DIR/budget.json (--out). To use more cores, run parts side by side on prompt files of their
own with a --curves and --out each, concatenate the curve files into DIR/budget-curves.jsonl and run
once more with the whole prompt list and neither option: every prompt is then read back, not rendered
(the ms per step it records then comes from renders that shared the machine).`;

export const EVAL_USAGE = `Usage: npm run budget:eval -- --model DIR [--prompts FILE] [--limit N] [--size 64]
  [--seed N] [--seeds K] [--quality fast,balanced,best] [--report FILE.md]
Renders held-out prompts at their predicted budget and at the reference step count, once per base seed
(--seed, --seed + 1, ... K of them; default one, 4321), each prompt with a seed of its own derived from
the base seed and its text (the log prints it); writes
DIR/budget-eval.json and a Markdown summary (DIR/budget-eval.md unless --report is given).`;

/** Parses argv (without node and the script path). */
export function parseBudgetArgs(argv: string[]): BudgetArgs {
  const values = parseOptions(argv, {
    model: { type: 'string' },
    prompts: { type: 'string' },
    limit: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    guidance: { type: 'string' },
    grid: { type: 'string' },
    clip: { type: 'string' },
    quality: { type: 'string' },
    report: { type: 'string' },
    curves: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  let grid: number[] | undefined;
  if (values.grid !== undefined) {
    grid = values.grid.split(',').map((s) => numberOption('grid', s, { integer: true, min: 1 })!);
    if (grid.length < 2) throw new UsageError(`--grid ${values.grid} needs at least two step counts.`);
  }
  let qualities: BudgetQuality[] | undefined;
  if (values.quality !== undefined) {
    qualities = values.quality.split(',').map((q) => {
      if (!(BUDGET_QUALITIES as readonly string[]).includes(q)) {
        throw new UsageError(`--quality ${q} is not one of ${BUDGET_QUALITIES.join(', ')}.`);
      }
      return q as BudgetQuality;
    });
  }
  const size = numberOption('size', values.size, { integer: true, min: 16 });
  if (size !== undefined && size % 8 !== 0) throw new UsageError(`--size ${size} is not a multiple of 8.`);
  return {
    model: values.model,
    prompts: values.prompts,
    limit: numberOption('limit', values.limit, { integer: true, min: 3 }),
    size,
    seed: numberOption('seed', values.seed, { integer: true, min: 0 }),
    seeds: numberOption('seeds', values.seeds, { integer: true, min: 1 }),
    guidance: numberOption('guidance', values.guidance, { integer: false, min: 0 }),
    grid,
    clip: values.clip,
    qualities,
    report: values.report,
    curves: values.curves,
    out: values.out,
    help: values.help ?? false,
  };
}
