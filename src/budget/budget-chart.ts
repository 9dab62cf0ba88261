/**
 * The /budget command's picture: the prompt's predicted SSIM-versus-steps curve, the quality level's
 * threshold as a dashed line, and the chosen step count marked, so the group sees why the bot spends
 * 18 steps instead of 50 ("the curve is flat after here"). Drawn as SVG and rasterised with sharp
 * (librsvg), so it needs no chart library and no canvas.
 */
import sharp from 'sharp';
import type { StepBudget } from '../core/budget/budget-rule.js';
import { escapeXml } from '../media/svg-text.js';

export interface BudgetChartOptions {
  /** Pixels. Default 640 x 360. */
  width?: number;
  height?: number;
  /** The quality level's predicted-SSIM threshold, drawn as a dashed line when given. */
  threshold?: number;
  /** Line above the chart, e.g. the prompt (escaped and shortened here). */
  title?: string;
}

const COLORS = { bg: '#fbfaf7', axis: '#555555', grid: '#e4e1da', curve: '#2b6cb0', chosen: '#c05621', threshold: '#718096', text: '#222222' };

/** The chart as an SVG string (exported for tests and for callers that embed it elsewhere). */
export function budgetChartSvg(budget: StepBudget, options: BudgetChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const m = { left: 56, right: 20, top: 44, bottom: 64 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const steps = budget.curve.map((p) => p.steps);
  const xMax = Math.max(...steps, budget.defaultSteps, budget.predictedSteps);
  const xMin = Math.min(0, ...steps);
  const lowest = Math.min(...budget.curve.map((p) => p.ssim), options.threshold ?? 1);
  const yMin = Math.max(-1, Math.floor((lowest - 0.02) * 20) / 20);
  const x = (s: number) => m.left + ((s - xMin) / (xMax - xMin)) * pw;
  const y = (v: number) => m.top + (1 - (v - yMin) / (1 - yMin)) * ph;
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="${COLORS.bg}"/>`);
  // Horizontal grid lines every 0.05 (or 0.1 on a tall range) with labels.
  const yStep = 1 - yMin > 0.5 ? 0.1 : 0.05;
  for (let v = 1; v >= yMin - 1e-9; v -= yStep) {
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${m.left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end" fill="${COLORS.axis}">${v.toFixed(2)}</text>`);
  }
  for (const s of steps) {
    parts.push(`<text x="${x(s)}" y="${m.top + ph + 18}" font-size="12" text-anchor="middle" fill="${COLORS.axis}">${s}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="${COLORS.axis}"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="${COLORS.axis}"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 30}" font-size="13" text-anchor="middle" fill="${COLORS.text}">denoising steps</text>`);
  parts.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="${COLORS.text}">predicted SSIM</text>`);
  if (options.threshold !== undefined && options.threshold <= 1 && options.threshold >= yMin) {
    const ty = y(options.threshold);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${ty}" y2="${ty}" stroke="${COLORS.threshold}" stroke-dasharray="6 4"/>`);
    // Below the line: the curve's right end is the reference (SSIM 1), always above the threshold.
    parts.push(`<text x="${m.left + pw - 4}" y="${ty + 16}" font-size="12" text-anchor="end" fill="${COLORS.threshold}">${budget.quality} threshold ${options.threshold.toFixed(3)}</text>`);
  }
  const path = budget.curve.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.steps).toFixed(1)},${y(p.ssim).toFixed(1)}`).join(' ');
  parts.push(`<path d="${path}" fill="none" stroke="${COLORS.curve}" stroke-width="2.5"/>`);
  for (const p of budget.curve) parts.push(`<circle cx="${x(p.steps)}" cy="${y(p.ssim)}" r="3.5" fill="${COLORS.curve}"/>`);
  const cx = x(budget.predictedSteps);
  parts.push(`<line x1="${cx}" x2="${cx}" y1="${m.top}" y2="${m.top + ph}" stroke="${COLORS.chosen}" stroke-width="2"/>`);
  const anchor = cx > m.left + pw * 0.7 ? 'end' : 'start';
  const dx = anchor === 'end' ? -6 : 6;
  // Near the bottom: past the chosen step the curve is high, so the lower plot area is free.
  parts.push(`<text x="${cx + dx}" y="${m.top + ph - 10}" font-size="14" font-weight="bold" text-anchor="${anchor}" fill="${COLORS.chosen}">${budget.predictedSteps} steps</text>`);
  const saved = budget.savedSteps > 0 ? `saves ${budget.savedSteps} of ${budget.defaultSteps} steps` : `no steps saved (default ${budget.defaultSteps})`;
  parts.push(`<text x="${m.left}" y="${height - 10}" font-size="12" fill="${COLORS.text}">${escapeXml(saved)}</text>`);
  const title = options.title ?? 'Step budget';
  const shortTitle = title.length > 70 ? `${title.slice(0, 69)}…` : title;
  parts.push(`<text x="${m.left}" y="26" font-size="15" font-weight="bold" fill="${COLORS.text}">${escapeXml(shortTitle)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Liberation Sans, sans-serif">${parts.join('')}</svg>`;
}

/**
 * The chart as PNG bytes.
 * @example await renderBudgetChart(budget, { threshold: model.rule.thresholds[budget.quality], title: prompt })
 */
export async function renderBudgetChart(budget: StepBudget, options: BudgetChartOptions = {}): Promise<Buffer> {
  if (budget.curve.length === 0) throw new RangeError('cannot chart an empty curve');
  return sharp(Buffer.from(budgetChartSvg(budget, options))).png().toBuffer();
}
