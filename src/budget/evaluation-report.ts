/**
 * The Markdown summary of `npm run budget:eval` (docs/step-budgets-*.md and the README quote it):
 * fixed, prompt-only and prompt+online step choices side by side per quality level, the issue's goal
 * judged on the balanced level for each per-prompt method, and the fitted rule's parameters.
 */
import type { BudgetModel } from '../core/budget/budget-model.js';
import type { EvaluationReport, MethodName, MethodReport, QualityReport } from './evaluate.js';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function methodLabel(m: MethodName, q: QualityReport): string {
  switch (m) {
    case 'fixed':
      return `fixed ${q.fixedSteps} (from calibration)`;
    case 'bestFixed':
      return `best fixed ${q.bestFixedSteps} (on these prompts)`;
    case 'promptOnly':
      return 'prompt-only';
    case 'online':
      return 'prompt+online';
  }
}

function row(q: QualityReport, m: MethodReport): string {
  const fewer = m.fewerThanBestFixedPct >= 0 ? `${m.fewerThanBestFixedPct.toFixed(1)}% fewer` : `${(-m.fewerThanBestFixedPct).toFixed(1)}% more`;
  return `| ${q.quality} | ${methodLabel(m.method, q)} | ${m.meanSteps.toFixed(1)} (${m.minSteps}-${m.maxSteps}) | ${m.unetSavedPct.toFixed(1)}% | ` +
    `${m.meanSsim.toFixed(4)} | ${m.p5Ssim.toFixed(4)} | ${pct(m.shareBelow090)} | ${m.meetsTarget ? 'yes' : 'no'} | ${fewer} | ${m.meanMsSsim.toFixed(4)} |`;
}

/** A Markdown summary of an evaluation. */
export function formatEvaluationMarkdown(report: EvaluationReport, model: BudgetModel): string {
  const online = model.online;
  const lines = [
    `# Step budgets on \`${report.modelId}\``,
    '',
    `Held-out prompts: ${report.prompts} (calibrated on ${model.calibration.trainPrompts} training prompts), ` +
      `${report.seeds.length > 1 ? `each rendered with ${report.seeds.length} seeds of its own (from base seeds ${report.seeds.join(', ')}): ${report.prompts * report.seeds.length} renders per method` : `each with a seed of its own (from base seed ${report.seeds[0]})`} ` +
      `(calibration: ${model.calibration.seedPerPrompt ? `a seed per prompt from base seed ${model.calibration.seed}` : `seed ${model.calibration.seed} for every prompt`}), ` +
      `${report.width}x${report.height} px, guidance ${model.calibration.guidance}, ` +
      `scheduler ${model.scheduler}, reference ${report.referenceSteps} steps, step grid ${model.stepGrid.join(', ')}.`,
    '',
    'SSIM is to the reference render of the same prompt and seed. "Meets target": mean SSIM at least the level\'s target and at most 5% ' +
      'of renders more than 0.05 under it (balanced: mean >= 0.95, <= 5% under 0.90). The best fixed count is the fewest grid steps ' +
      'meeting the target on these held-out prompts, chosen with hindsight; the last column but one compares every method with it.',
    '',
    '| quality | method | steps: mean (min-max) | UNet evaluations saved vs ' + report.referenceSteps + ' | mean SSIM | 5th pct SSIM | share < 0.90 | meets target | steps vs best fixed | mean MS-SSIM |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...report.qualities.flatMap((q) => q.methods.map((m) => row(q, m))),
    '',
  ];
  for (const g of report.goals) {
    lines.push(
      `Goal (balanced, ${g.method === 'online' ? 'prompt+online' : 'prompt-only'}): >= 35% fewer UNet evaluations than ${report.referenceSteps} steps, ` +
        `mean SSIM >= 0.95, <= 5% under 0.90, >= 15% fewer steps than the best fixed count meeting the same target: ` +
        `${g.met ? 'met' : 'NOT met'} (${g.unetSavedPct.toFixed(1)}%, ${g.meanSsim.toFixed(4)}, ${pct(g.shareBelow090)}, ${g.fewerThanBestFixedPct.toFixed(1)}%).`,
      '',
    );
  }
  const cv = Object.entries(model.curves).map(([k, v]) => `${k} ${v!.cvRmse.toFixed(4)} (lambda ${v!.lambda.toPrecision(2)})`);
  lines.push(`Prompt prior: ridge on the ${model.features.normalise === 'l2' ? 'L2-normalised ' : ''}pooled text encoding; cross-validated RMSE per curve: ${cv.join(', ')}. ` +
    `Prompt-only predicted-SSIM thresholds: ${Object.entries(model.rule.thresholds).map(([q, t]) => `${q} ${t.toFixed(4)}`).join(', ')}.`, '');
  if (online) {
    const levels = Object.entries(online.levels).map(([q, l]) => {
      const cv = l.crossValidated;
      const held = cv
        ? ` (cross-validated over the training prompts: ${cv.meanSteps.toFixed(1)} steps, SSIM ${cv.meanSsim.toFixed(4)}, ${pct(cv.shareBelow090)} < 0.90, ` +
          (cv.held === false
            ? 'short of the target at every strictness, so chosen at the strictest'
            : `chosen with the mean target raised by ${cv.meanMargin} and at most ${pct(cv.tailShare)} in the tail`) + ')'
        : '';
      return `${q} prior ${l.priorThreshold.toFixed(4)} / stop ${l.stopThreshold.toPrecision(3)}${held}`;
    });
    lines.push(`Online rule (fitted on the calibration traces of schedules up to ${online.maxScheduledSteps} steps; lower bound at predicted SSIM + ` +
      `${online.lowerBoundSigmas} CV RMSE reaching the target): ${levels.join('; ')}.`, '');
  }
  lines.push(`UNet time per step during evaluation: ${report.msPerStep.toFixed(2)} ms. Generated ${report.createdAt} by \`npm run budget:eval\`.`, '');
  return lines.join('\n');
}
