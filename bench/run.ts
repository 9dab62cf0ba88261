/**
 * `npm run bench`: the speed figures the issues set goals for, measured in one run on this machine
 * and printed as ratios, so a noisy shared machine moves both sides of each ratio together. Never
 * part of `npm test` (timing assertions in unit tests would be flaky by construction).
 *
 *   engine   draft wall time / total session.run time (goal <= 1.05: 4 drafts, 20 steps, 64x64
 *            latents on the bench UNet), and 4 variants batched vs rendered one after another
 *   tokenizer prompts/s (cold and warm cache) with the model's tokenizer (the real CLIP vocabulary
 *            when ../shared/clip-tokenizer is present)
 *   queue    enqueue throughput, and enqueue-to-start latency with an idle worker (real Redis)
 *   storybook a 4-variant draft of the default model at its native size (goal <= 1.5 s), and shown at 512 px
 *   load     the real bot on the loopback Discord: 100 slash commands and 500 vote reactions at once
 *            while a render runs and a 4000-character passage is planned (bench/load-scenario.ts):
 *            acknowledgement p50/p99 (goal p99 <= 250 ms), missed 3 s deadlines (goal 0), event-loop
 *            lag p99 (goal <= 50 ms); then the same with the planner on the event loop, as before
 *
 * Options: --quick (smaller sizes, for a smoke run), --only engine|storybook|tokenizer|queue|load,
 * --load-worker toy|step (default toy: the real render worker on the toy model).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { runLoad, type LoadFigures } from './load-scenario.js';
import { compareBatching, measureSteps } from '../src/diffusion/engine-bench.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { createLogger } from '../src/log.js';
import { connectForBot, deleteKeysUnder, FairQueue, FileBlobStore, sampleDraft, startRenderWorker, measureEnqueueThroughput, measureEnqueueToStart } from '../src/queue/index.js';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer.js';
import { measureTokenizerThroughput } from '../src/tokenizer/tokenizer-bench.js';
import { readPromptList } from '../src/budget/prompt-set.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { engineHandlers, loadEngineDefaults } from '../workers/render-handlers.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, 'load-worker': { type: 'string', default: 'toy' } } });
const quick = values.quick!;
const wants = (part: string) => values.only === undefined || values.only === part;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function benchEngine(): Promise<void> {
  const size = quick ? 256 : 512; // 512 px = 64x64 latents
  const engine = await DiffusionEngine.load('models/bench-unet', { threads: 0 });
  const req = { prompt: 'a fox under a grape vine at dusk, storybook watercolour', seed: 7, steps: quick ? 8 : 20, guidance: 7.5, width: size, height: size, variants: 4 };
  const timing = await measureSteps(engine, req, quick ? 1 : 2);
  console.log(`engine  bench UNet, 4 drafts, ${req.steps} steps, ${size / 8}x${size / 8} latents (batch 8 with CFG)`);
  console.log(`        UNet ${fmt(timing.unetMsPerStep)} ms/step; draft wall ${fmt(timing.renderMs, 0)} ms; session.run total ${fmt(timing.modelMs, 0)} ms`);
  console.log(`        draft wall / session.run = ${fmt(timing.renderMs / timing.modelMs, 3)}  (goal <= 1.05)`);
  const batching = await compareBatching(engine, { ...req, steps: quick ? 4 : 10 }, 1);
  console.log(`        4 variants batched ${fmt(batching.batchedMs, 0)} ms vs sequential ${fmt(batching.sequentialMs, 0)} ms: batched is x${fmt(batching.speedup, 2)} faster`);
  await engine.release();
}

/** The default model's draft: 4 variants at its native size, and shown at 512 px (upscale included). */
async function benchStorybook(): Promise<void> {
  if (!existsSync('models/storybook/unet/model.onnx')) {
    console.log('storybook models/storybook is missing; skipped');
    return;
  }
  const engine = await DiffusionEngine.load('models/storybook', { threads: 0 });
  const native = engine.nativeSize ?? 128;
  const req = { prompt: 'a fox and a bunch of grapes in a vineyard at dusk', seed: 7, steps: 20, guidance: 5, width: native, height: native, variants: 4 };
  const atNative = await measureSteps(engine, req, quick ? 1 : 7);
  const shown = await measureSteps(engine, { ...req, width: 512, height: 512 }, quick ? 1 : 7);
  console.log(`storybook 4-variant draft, ${req.steps} DDIM steps, guidance ${req.guidance}, ${native}x${native} native`);
  console.log(`        draft ${fmt(atNative.renderMs, 0)} ms, median of ${atNative.repeats} (${fmt(atNative.renderMs / 4, 0)} ms per variant; goal <= 1500 ms); UNet ${fmt(atNative.unetMsPerStep)} ms/step`);
  console.log(`        shown at 512x512 (lanczos upscale included): ${fmt(shown.renderMs, 0)} ms`);
  await engine.release();
}

async function benchTokenizer(): Promise<void> {
  const shared = path.resolve('../shared/clip-tokenizer');
  const tokenizer = existsSync(path.join(shared, 'vocab.json'))
    ? await ClipTokenizer.fromFolder(shared)
    : await ClipTokenizer.fromFolder('models/toy');
  const label = existsSync(path.join(shared, 'vocab.json')) ? 'real CLIP vocabulary' : 'toy vocabulary (../shared absent)';
  const prompts = await readPromptList();
  const cold = measureTokenizerThroughput(tokenizer, prompts, { cold: true, minMs: quick ? 200 : 1000 });
  const warm = measureTokenizerThroughput(tokenizer, prompts, { minMs: quick ? 200 : 1000 });
  console.log(`tokenizer ${label}, ${prompts.length} story prompts`);
  console.log(`        cold cache ${fmt(cold.promptsPerSecond, 0)} prompts/s; warm cache ${fmt(warm.promptsPerSecond, 0)} prompts/s (${fmt(warm.tokensPerSecond / 1000, 0)}k tokens/s)`);
}

async function benchQueue(): Promise<void> {
  const config = loadConfig();
  const prefix = `tf-bench-${process.pid}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'taleframe-bench-'));
  const connection = await connectForBot(config.REDIS_URL);
  const jobs = quick ? 300 : 2000;
  const fq = new FairQueue({ connection, prefix, maxWaitingPerUser: jobs, maxWaitingPerStory: jobs });
  const log = createLogger('warn', 'bench');
  try {
    const throughput = await measureEnqueueThroughput(fq, jobs, 20, 8);
    console.log(`queue   enqueue throughput ${fmt(throughput.perSecond, 0)} jobs/s (${jobs} fair enqueues, 20 users, 8 in flight)`);
    await fq.queue.obliterate({ force: true });
    const engine = await DiffusionEngine.load('models/toy', { threads: 1 });
    const worker = await startRenderWorker({
      redisUrl: config.REDIS_URL,
      prefix,
      handlers: engineHandlers(engine, { ...(await loadEngineDefaults(config)), budget: null }),
      blobs: new FileBlobStore(dataDir),
      log,
      concurrency: 1,
      lockMs: 30_000,
    });
    try {
      const latency = await measureEnqueueToStart(fq, quick ? 10 : 50, (i) => sampleDraft(`latency-${i % 3}`, { steps: 1 }));
      console.log(`        enqueue-to-start with an idle worker: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, max ${latency.maxMs} ms (${latency.samples} jobs)`);
    } finally {
      await worker.close();
      await engine.release();
    }
  } finally {
    await fq.close();
    await deleteKeysUnder(connection, prefix);
    connection.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The load figures of one run, as the issue states its goals. */
function printLoad(f: LoadFigures, indent: string): void {
  console.log(`${indent}ack p50 ${f.ackP50Ms} ms, p99 ${f.ackP99Ms} ms, max ${f.ackMaxMs} ms (goal p99 <= 250 ms); ${f.acknowledged}/${f.commands} acknowledged, missed 3 s deadlines ${f.missedDeadlines} (goal 0), rate-limited ${f.rateLimited}`);
  console.log(`${indent}bot event-loop lag p50 ${f.loopLag.p50Ms} ms, p99 ${f.loopLag.p99Ms} ms, max ${f.loopLag.maxMs} ms (goal p99 <= 50 ms); the fake Discord's: p99 ${f.driverLag.p99Ms} ms, max ${f.driverLag.maxMs} ms`);
  const planned = f.passagePlannedMs === undefined ? 'no plan summary' : `planned in ${(f.passagePlannedMs / 1000).toFixed(1)} s`;
  console.log(`${indent}votes counted ${f.votesCounted}/${f.reactions} within ${(f.votesCountedMs / 1000).toFixed(1)} s; the passage ${planned}`);
}

async function benchLoad(): Promise<void> {
  const commands = quick ? 20 : 100;
  const reactions = quick ? 100 : 500;
  const worker = values['load-worker'] === 'step' ? 'step' : 'toy';
  console.log(`load    ${commands} slash commands + ${reactions} reactions at once on the loopback Discord, a ${worker} render running, a 4000-char passage planning`);
  console.log(`        (bot in its own process; this machine's load average: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  printLoad(await runLoad({ commands, reactions, worker }), '        ');
  console.log('        before the planner thread pool (offline planner on the bot\'s event loop):');
  printLoad(await runLoad({ commands, reactions, worker, inlinePlanner: true }), '          ');
}

await ensureToyModels();
if (wants('engine')) await benchEngine();
if (wants('engine') || wants('storybook')) await benchStorybook();
if (wants('tokenizer')) await benchTokenizer();
if (wants('queue')) await benchQueue();
if (wants('load')) await benchLoad();
process.exit(0);
