/**
 * `npm run storybook:eval`: does the storybook model draw what a prompt asks for? Renders the prompts
 * of prompts.json (24 pairs of staples that training never showed together, 24 single subjects in
 * settings and times chosen at random) with the project's own engine at the model's native size, and
 * lets the judge (judge.onnx: a small CNN trained only on composed scenes, see
 * models/storybook/train/train_classifier.py) say which subjects, setting and time of day it sees.
 * Reports subject recall (asked-for subjects the judge finds, threshold 0.5), setting and time accuracy,
 * and writes a contact sheet of every render so a person can check the judge too.
 *
 *   npm run storybook:eval -- [--model models/storybook] [--steps 25] [--guidance 5] [--seeds 2]
 *                             [--out docs/storybook-eval.md]
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { RgbImage } from '../../../src/core/image.js';
import { DiffusionEngine } from '../../../src/diffusion/engine.js';
import { gridPng } from '../../../src/diffusion/png.js';

interface EvalPrompt { prompt: string; subjects: string[]; setting: string; time: string; heldOutPair: boolean }
interface Labels { subjects: string[]; settings: string[]; times: string[]; judge_accuracy: Record<string, number> }

const here = dirname(new URL(import.meta.url).pathname);

/** 128x128 RGB -> [1,3,64,64] in [0,1] by 2x2 box averaging (the judge's training transform). */
function judgeInput(image: RgbImage): Float32Array {
  const side = 64;
  const f = image.width / side;
  const out = new Float32Array(3 * side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += image.data[((y * f + dy) * image.width + x * f + dx) * 3 + c];
        out[c * side * side + y * side + x] = sum / (f * f * 255);
      }
    }
  }
  return out;
}

const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);

/**
 * What the VAE lets through (vae-ceiling.json, written by train/judge_ceiling.py): the judge's recall
 * on composed scenes after an encode/decode round trip. Every render passes through the decoder, so
 * subject recall cannot be expected above this however well the UNet is trained.
 */
async function ceilingLines(model: string): Promise<string[]> {
  const file = join(model, 'vae-ceiling.json');
  if (!existsSync(file)) return [];
  const c = JSON.parse(await readFile(file, 'utf8')) as { scenes: number; psnr_db: number; recall_originals: number; recall_reconstructions: number };
  return [
    `Ceiling set by the VAE (\`models/storybook/train/judge_ceiling.py\`): on ${c.scenes} composed scenes the judge finds ` +
      `${c.recall_originals.toFixed(3)} of the subjects in the scenes as composed and ${c.recall_reconstructions.toFixed(3)} after an ` +
      `encode/decode round trip (PSNR ${c.psnr_db} dB). Every render passes through this decoder, so subject recall above that is not to be expected.`,
    '',
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'models/storybook' },
      steps: { type: 'string', default: '25' },
      guidance: { type: 'string', default: '5' },
      seeds: { type: 'string', default: '2' },
      out: { type: 'string', default: 'docs/storybook-eval.md' },
    },
  });
  const steps = Number(values.steps);
  const guidance = Number(values.guidance);
  const seeds = Number(values.seeds);
  const { prompts } = JSON.parse(await readFile(join(here, 'prompts.json'), 'utf8')) as { prompts: EvalPrompt[] };
  const labels = JSON.parse(await readFile(join(here, 'labels.json'), 'utf8')) as Labels;
  const judge = await ort.InferenceSession.create(join(here, 'judge.onnx'));
  const engine = await DiffusionEngine.load(values.model!);
  const size = engine.nativeSize ?? 128;
  let found = 0;
  let asked = 0;
  let controlFound = 0;
  let controlAsked = 0;
  let settingOk = 0;
  let timeOk = 0;
  let judged = 0;
  const rows: string[] = [];
  const sheet: RgbImage[] = [];
  for (const [i, p] of prompts.entries()) {
    const result = await engine.render({ prompt: p.prompt, seed: 1000 + i, steps, guidance, width: size, height: size, variants: seeds });
    const seen: string[] = [];
    for (const image of result.images) {
      sheet.push(image);
      const out = await judge.run({ image: new ort.Tensor('float32', judgeInput(image), [1, 3, 64, 64]) });
      const probs = out.subjects.data as Float32Array;
      const hits = p.subjects.filter((s) => probs[labels.subjects.indexOf(s)] > 0.5);
      found += hits.length;
      asked += p.subjects.length;
      // Control: the subjects of another prompt, which this picture should not show. A judge that
      // fires on anything (blobs, colours) scores high here too, and recall means nothing.
      const other = prompts[(i + prompts.length / 2) % prompts.length]!.subjects.filter((s) => !p.subjects.includes(s));
      controlFound += other.filter((s) => probs[labels.subjects.indexOf(s)] > 0.5).length;
      controlAsked += other.length;
      const setting = labels.settings[argmax(out.setting.data as Float32Array)];
      const time = labels.times[argmax(out.time.data as Float32Array)];
      settingOk += setting === p.setting ? 1 : 0;
      timeOk += time === p.time ? 1 : 0;
      judged++;
      seen.push(`${hits.length}/${p.subjects.length} ${setting} ${time}`);
    }
    rows.push(`| ${i + 1} | ${p.prompt}${p.heldOutPair ? ' (held-out pair)' : ''} | ${seen.join('; ')} |`);
    console.log(`[${i + 1}/${prompts.length}] ${seen.join('; ')}  ${p.prompt}`);
  }
  await engine.release();
  const recall = found / asked;
  const markdown = [
    `# Storybook model: does it draw what the prompt asks?`,
    '',
    `${prompts.length} prompts x ${seeds} seeds (${judged} pictures) rendered by \`npm run storybook:eval\` at ${size}x${size}, ` +
      `${steps} DDIM steps, guidance ${guidance}. 24 prompts pair staples that training never showed together.`,
    '',
    `| measure | value | goal |`,
    `|---|---|---|`,
    `| subject recall (judge probability > 0.5) | ${recall.toFixed(3)} (${found}/${asked}) | >= 0.8 |`,
    `| control: another prompt's subjects "found" | ${(controlFound / controlAsked).toFixed(3)} (${controlFound}/${controlAsked}) | near 0 |`,
    `| setting right | ${(settingOk / judged).toFixed(3)} | >= 0.8 |`,
    `| time of day right | ${(timeOk / judged).toFixed(3)} | >= 0.8 |`,
    '',
    ...(await ceilingLines(values.model!)),
    `The judge on held-out composed scenes (ground truth, not model output): ${JSON.stringify(labels.judge_accuracy)}.`,
    '',
    `Contact sheet: [storybook-eval.jpg](storybook-eval.jpg) (row-major, ${seeds} pictures per prompt in prompt order).`,
    '',
    '| # | prompt | judge: subjects found, setting, time (per seed) |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, markdown);
  // JPEG, as the storyboards: the sheet is committed with every new set of weights (a PNG was 6.8 MB).
  await sharp(await gridPng(sheet, 2)).jpeg({ quality: 85, mozjpeg: true }).toFile(join(dirname(values.out!), 'storybook-eval.jpg'));
  console.log(`\nsubject recall ${recall.toFixed(3)} (control ${(controlFound / controlAsked).toFixed(3)}), setting ${(settingOk / judged).toFixed(3)}, time ${(timeOk / judged).toFixed(3)}; wrote ${values.out}`);
}

await main();
