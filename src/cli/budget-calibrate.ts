/**
 * `npm run budget:calibrate -- --model DIR`: measures how each training prompt's render converges with
 * the step count and fits the step-budget predictor for that model (src/budget/calibrate.ts). Progress
 * goes to stdout one prompt per line; an interrupted run resumes from DIR/budget-curves.jsonl. User
 * mistakes print one sentence and exit with code 2.
 */
import { ConfigError } from '../config.js';
import { loadConfigFromEnvironment } from '../process/env-file.js';
import { DiffusionEngine } from '../diffusion/engine.js';
import { ModelFolderError } from '../diffusion/model-folder-error.js';
import { exitWithUnexpected } from '../process/fatal.js';
import { calibrate } from '../budget/calibrate.js';
import { loadClipImageScorer } from '../budget/clip-image.js';
import { readPromptList, splitPrompts } from '../budget/prompt-set.js';
import { CALIBRATE_USAGE, parseBudgetArgs } from './budget-args.js';
import { UsageError } from './usage-error.js';

async function main(argv: string[]): Promise<void> {
  const args = parseBudgetArgs(argv);
  if (args.help) {
    console.log(CALIBRATE_USAGE);
    return;
  }
  if (args.seeds !== undefined) throw new UsageError('--seeds is an option of budget:eval; calibration renders every prompt once, with a seed of its own derived from --seed.');
  const config = loadConfigFromEnvironment();
  const modelDir = args.model ?? config.MODEL_DIR;
  const prompts = splitPrompts(await readPromptList(args.prompts), args.limit);
  const clip = await loadClipImageScorer(args.clip);
  if (args.clip && !clip) throw new UsageError(`--clip ${args.clip} holds no CLIP vision model (model.onnx or vision_model.onnx).`);
  const engine = await DiffusionEngine.load(modelDir, DiffusionEngine.optionsFromConfig(config));
  console.log(`calibrating ${modelDir}: ${prompts.train.length} training prompts (${prompts.heldout.length} held out for budget:eval)${clip ? ', with CLIP image similarity' : ''}`);
  const result = await calibrate(engine, {
    modelDir,
    prompts,
    size: args.size,
    seed: args.seed,
    guidance: args.guidance ?? config.RENDER_GUIDANCE,
    stepGrid: args.grid,
    clip,
    curvesFile: args.curves,
    budgetFile: args.out,
    log: (line) => console.log(line),
  });
  const m = result.model;
  console.log(`step grid ${m.stepGrid.join(', ')}; range ${m.stepRange.min}-${m.stepRange.max}; ${m.calibration.msPerStep.toFixed(2)} ms per UNet step`);
  for (const [name, fit] of Object.entries(m.curves)) console.log(`curve ${name}: lambda ${fit!.lambda.toPrecision(2)}, CV RMSE ${fit!.cvRmse.toFixed(4)}`);
  for (const [q, s] of Object.entries(m.calibration.outOfFold)) {
    const th = m.rule.thresholds[q as keyof typeof m.rule.thresholds];
    console.log(`${q.padEnd(8)} threshold ${th.toFixed(4)}: out-of-fold mean steps ${s.meanSteps.toFixed(1)}, mean SSIM ${s.meanSsim.toFixed(4)}, p5 ${s.p5Ssim.toFixed(4)}, < 0.90 ${(100 * s.shareBelow090).toFixed(1)}%`);
  }
  console.log(`wrote ${result.budgetFile} (curves: ${result.curvesFile}, ${result.rendered} measured, ${result.reused} reused)`);
  await engine.release();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ModelFolderError) {
    console.error(error.message);
    if (error instanceof UsageError) console.error(CALIBRATE_USAGE);
    process.exit(2);
  }
  exitWithUnexpected('budget:calibrate', error);
});
