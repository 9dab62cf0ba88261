/**
 * `npm run budget:eval -- --model DIR`: judges a model's budget.json on the held-out prompts (which
 * calibration never fitted on) by rendering each at its predicted budget and at the reference step
 * count (src/budget/evaluate.ts). Writes DIR/budget-eval.json with every prompt's numbers and a
 * Markdown summary the README can quote. User mistakes print one sentence and exit with code 2.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config.js';
import { loadConfigFromEnvironment } from '../process/env-file.js';
import { DiffusionEngine } from '../diffusion/engine.js';
import { ModelFolderError } from '../diffusion/model-folder-error.js';
import { exitWithUnexpected } from '../process/fatal.js';
import { EVALUATION_SEED, evaluateBudget } from '../budget/evaluate.js';
import { formatEvaluationMarkdown } from '../budget/evaluation-report.js';
import { readPromptList, splitPrompts } from '../budget/prompt-set.js';
import { BUDGET_FILE, loadBudgetModel } from '../budget/step-budget.js';
import { EVAL_USAGE, parseBudgetArgs } from './budget-args.js';
import { UsageError } from './usage-error.js';

async function main(argv: string[]): Promise<void> {
  const args = parseBudgetArgs(argv);
  if (args.help) {
    console.log(EVAL_USAGE);
    return;
  }
  if (args.curves !== undefined || args.out !== undefined) throw new UsageError('--curves and --out are options of budget:calibrate; budget:eval writes --report FILE.md.');
  const config = loadConfigFromEnvironment();
  const modelDir = args.model ?? config.MODEL_DIR;
  const model = await loadBudgetModel(modelDir);
  if (!model) throw new UsageError(`${join(modelDir, BUDGET_FILE)} does not exist: run npm run budget:calibrate -- --model ${modelDir} first.`);
  const { heldout } = splitPrompts(await readPromptList(args.prompts), args.limit);
  if (heldout.length === 0) throw new UsageError('the prompt set has no held-out prompts.');
  const engine = await DiffusionEngine.load(modelDir, DiffusionEngine.optionsFromConfig(config));
  console.log(`evaluating ${modelDir} on ${heldout.length} held-out prompts`);
  const report = await evaluateBudget(engine, model, {
    prompts: heldout,
    qualities: args.qualities,
    size: args.size,
    seeds: Array.from({ length: args.seeds ?? 1 }, (_, k) => (args.seed ?? EVALUATION_SEED) + k),
    guidance: args.guidance,
    log: (line) => console.log(line),
  });
  await engine.release();
  const markdown = formatEvaluationMarkdown(report, model);
  const reportFile = args.report ?? join(modelDir, 'budget-eval.md');
  await mkdir(dirname(reportFile), { recursive: true });
  await writeFile(reportFile, markdown);
  await writeFile(join(modelDir, 'budget-eval.json'), `${JSON.stringify(report, null, 1)}\n`);
  console.log(`\n${markdown}`);
  console.log(`wrote ${reportFile} and ${join(modelDir, 'budget-eval.json')}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ModelFolderError) {
    console.error(error.message);
    if (error instanceof UsageError) console.error(EVAL_USAGE);
    process.exit(2);
  }
  exitWithUnexpected('budget:eval', error);
});
