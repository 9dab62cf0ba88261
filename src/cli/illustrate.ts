/**
 * `npm run illustrate -- <passage.txt> --out <dir>`: the whole path once, from a terminal. The passage
 * is planned into scenes (LLM planner when configured, else offline), every scene's prompt is
 * assembled under a style lock, one draft job per scene goes through the fair BullMQ queue on Redis,
 * a render worker process (started here unless --no-worker) renders them, and the results come back
 * through the same exactly-once delivery the bot uses. Writes scene-NN.png and storyboard.png.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, type Config } from '../config.js';
import { loadConfigFromEnvironment } from '../process/env-file.js';
import { prepareBuiltInModel } from '../budget/toy-budget.js';
import { createLogger } from '../log.js';
import { storyboardSheet } from '../media/storyboard-sheet.js';
import { createPlanner } from '../planner/index.js';
import { planPassage, type ScenePlan } from '../planner/plan-passage.js';
import { loadTokenCounter } from '../planner/token-counter.js';
import { exitWithSentence, messageOf } from '../process/fatal.js';
import { assertRedisReachable } from '../process/redis-check.js';
import { startWorkerChild } from '../process/worker-child.js';
import { connectForBot, explainFailure, FairQueue, FileBlobStore, ResultDelivery, type QueuePosition, type RenderOutcome } from '../queue/index.js';
import { UsageError } from './usage-error.js';

const usage = 'usage: npm run illustrate -- <passage.txt> --out <dir> [--style TEXT] [--negative TEXT] [--seed N] [--steps N] [--size WxH] [--no-worker] [--verbose]';

interface Options {
  passageFile: string;
  out: string;
  style: string;
  negative: string;
  seed: number;
  steps?: number;
  width: number;
  height: number;
  startWorker: boolean;
  verbose: boolean;
}

const optionSpec = {
  out: { type: 'string' },
  style: { type: 'string', default: 'storybook illustration, soft watercolour, warm light' },
  negative: { type: 'string', default: 'text, watermark, blurry' },
  seed: { type: 'string', default: '1234' },
  steps: { type: 'string' },
  size: { type: 'string' },
  'no-worker': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

function readOptions(config: Config): Options {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: optionSpec });
  } catch (error) {
    // An unknown or malformed option: the first sentence of node's message, then the usage line.
    const first = messageOf(error).split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '');
    throw new UsageError(`${first}. ${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.out) throw new UsageError(usage);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed ${values.seed} is not a whole number from 0 to 4294967295.`);
  const steps = values.steps === undefined ? undefined : Number(values.steps);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1 || steps > 200)) throw new UsageError(`--steps ${values.steps} is not a whole number from 1 to 200.`);
  const [width, height] = values.size ? parseSize(values.size) : [config.RENDER_WIDTH, config.RENDER_HEIGHT];
  return {
    passageFile: positionals[0]!,
    out: values.out,
    style: values.style!,
    negative: values.negative!,
    seed,
    steps,
    width,
    height,
    startWorker: !values['no-worker'],
    verbose: values.verbose!,
  };
}

function parseSize(text: string): [number, number] {
  const match = /^(\d+)x(\d+)$/.exec(text);
  const [w, h] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(w >= 64 && h >= 64 && w <= 2048 && h <= 2048 && w % 8 === 0 && h % 8 === 0)) {
    throw new UsageError(`--size ${text} must be WIDTHxHEIGHT, multiples of 8 from 64 to 2048.`);
  }
  return [w, h];
}

async function main(): Promise<void> {
  const config = loadConfigFromEnvironment();
  const options = readOptions(config);
  const passage = await readFile(options.passageFile, 'utf8').catch(() => {
    throw new UsageError(`cannot read the passage file ${options.passageFile}.`);
  });
  if (passage.trim() === '') throw new UsageError(`${options.passageFile} is empty.`);
  await assertRedisReachable(config.REDIS_URL);
  const log = createLogger(options.verbose ? 'info' : 'warn', 'illustrate');

  await prepareBuiltInModel(config.MODEL_DIR, (line) => console.log(line));
  const { countTokens } = await loadTokenCounter(config.MODEL_DIR);
  const planner = createPlanner(config, log);
  const plan = await planPassage(planner, { passage, style: { style: options.style, negative: options.negative }, cast: {} }, countTokens);
  // Nothing to draw (a passage the offline planner cannot read): say why and render nothing.
  if (plan.scenes.length === 0) throw new UsageError(plan.notice ?? `${options.passageFile} has nothing to draw.`);
  console.log(`planned ${plan.scenes.length} scene(s) with the ${plan.planner} planner${plan.notes.length ? ` (${plan.notes.join('; ')})` : ''}`);
  if (plan.addedCharacters.length > 0) console.log(`characters: ${plan.addedCharacters.map((n) => `${n} (${plan.cast[n]!.description})`).join(', ')}`);
  plan.scenes.forEach((s, i) => {
    console.log(`  scene ${i + 1}: ${s.scene.action} | ${s.scene.setting}`);
    if (options.verbose) console.log(`    prompt: ${s.prompt}\n    negative: ${s.negativePrompt}${s.notes.length ? `\n    notes: ${s.notes.join('; ')}` : ''}`);
  });

  const worker = options.startWorker ? startWorkerChild(log, { ...process.env, LOG_LEVEL: options.verbose ? 'info' : 'warn' }) : null;
  try {
    const outcomes = await renderScenes(config, options, plan.scenes, log);
    await writeResults(config, options, plan.scenes, outcomes);
  } finally {
    await worker?.stop();
  }
}

async function renderScenes(config: Config, options: Options, scenes: ScenePlan[], log: ReturnType<typeof createLogger>): Promise<Map<string, RenderOutcome>> {
  const connection = await connectForBot(config.REDIS_URL);
  const queue = new FairQueue({
    connection,
    prefix: config.QUEUE_PREFIX,
    maxWaitingPerUser: Math.max(config.QUEUE_MAX_WAITING_PER_USER, scenes.length),
    maxWaitingPerStory: Math.max(config.QUEUE_MAX_WAITING_PER_STORY, scenes.length),
  });
  const run = `cli-${Date.now().toString(36)}`;
  const jobIds = new Map<string, number>();
  const outcomes = new Map<string, RenderOutcome>();
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const delivery = new ResultDelivery({
    connection,
    queue: queue.queue,
    prefix: config.QUEUE_PREFIX,
    redisUrl: config.REDIS_URL,
    log,
    deliver: async (outcome) => {
      const index = jobIds.get(outcome.jobId);
      if (index === undefined) return; // someone else's job; leave it for them
      outcomes.set(outcome.jobId, outcome);
      console.log(`  scene ${index + 1}: ${outcome.state === 'completed' ? 'done' : `failed: ${explainFailure(outcome.reason, 'again').sentence}`}`);
      if (outcomes.size === jobIds.size) finish();
    },
    onProgress: (jobId, progress) => {
      const index = jobIds.get(jobId);
      if (index !== undefined && options.verbose) console.log(`  scene ${index + 1}: step ${progress.step}/${progress.total}`);
    },
  });
  try {
    await delivery.start();
    for (const [index, scene] of scenes.entries()) {
      const requestId = `${run}-${index + 1}`;
      jobIds.set(requestId, index);
      const job = await queue.enqueue('draft', {
        v: 1,
        requestId,
        draftId: requestId,
        userId: 'cli',
        storyId: run,
        channel: { channelId: 'cli' },
        prompt: scene.prompt,
        negative: scene.negativePrompt,
        seed: (options.seed + index) >>> 0,
        steps: options.steps,
        width: options.width,
        height: options.height,
        variants: 1,
      });
      console.log(`  scene ${index + 1}: queued (${whereIs(job.position)})`);
    }
    // Jobs that finished before their ids were registered are caught by one more sweep.
    await delivery.sweep();
    if (outcomes.size < jobIds.size) await allDone;
    return outcomes;
  } finally {
    await delivery.close();
    await queue.close();
    connection.disconnect();
  }
}

/** "position 3", or what became of a job a worker took before its position was read. */
function whereIs(p: QueuePosition): string {
  if (p.position !== null) return `position ${p.position}`;
  return p.state === 'active' ? 'started at once' : p.state === 'completed' || p.state === 'failed' ? 'already finished' : p.state;
}

/** Some scenes failed: the rest were written, and the run says which failed (exit code 1). */
class ScenesFailedError extends Error {}

async function writeResults(config: Config, options: Options, scenes: ScenePlan[], outcomes: Map<string, RenderOutcome>): Promise<void> {
  await mkdir(options.out, { recursive: true });
  const blobs = new FileBlobStore(config.DATA_DIR);
  const panels: { png: Buffer; caption: string }[] = [];
  const ordered = [...outcomes.values()].sort((a, b) => a.jobId.localeCompare(b.jobId, 'en', { numeric: true }));
  for (const [index, outcome] of ordered.entries()) {
    if (outcome.state !== 'completed') continue;
    const png = await blobs.get(outcome.result.keys[0]!);
    const file = path.join(options.out, `scene-${String(index + 1).padStart(2, '0')}.png`);
    await writeFile(file, png);
    console.log(`wrote ${file}`);
    panels.push({ png, caption: scenes[index]!.scene.passage.text });
  }
  const failed = ordered.flatMap((o, i) => (o.state === 'completed' ? [] : [i + 1]));
  if (panels.length === 0) throw new ScenesFailedError('no scene rendered; see the reasons above.');
  if (failed.length > 0) {
    const list = failed.map((n) => `scene ${n}`).join(', ');
    throw new ScenesFailedError(`${failed.length} of ${ordered.length} scenes failed (${list}); the others were written, storyboard.png was not. Run it again to retry.`);
  }
  const sheet = path.join(options.out, 'storyboard.png');
  await writeFile(sheet, await storyboardSheet(panels, { title: path.basename(options.passageFile).replace(/\.[^.]+$/, '') }));
  console.log(`wrote ${sheet}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    if (error instanceof UsageError || error instanceof ConfigError) exitWithSentence(error.message, 2);
    if (error instanceof ScenesFailedError) exitWithSentence(error.message, 1);
    exitWithSentence(messageOf(error));
  },
);
