/**
 * A real render worker process for the queue tests: the real worker runtime with a cheap 'draft'
 * handler that steps through `steps` steps (STEP_MS each, honouring the AbortSignal) and writes a
 * real PNG with sharp. Prompts steer failures: 'transient-once' fails its first try with ECONNRESET,
 * 'bad-mask' fails with a user error, 'poison' SIGKILLs its own worker, 'always-broken' (and requests whose id ends
 * with BREAK_REQUESTS_ENDING) throw library text on every try. TEST_ENGINE=1 uses the real engine handlers on MODEL_DIR instead.
 * Prints "ready <id>" on stdout once it takes jobs.
 */
import sharp from 'sharp';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { FileBlobStore, JobInputError, startRenderWorker, type HandlerRegistry } from '../../src/queue/index.js';

const config = loadConfig();
const stepMs = Number(process.env.STEP_MS ?? 50);
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'step-worker');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const onAbort = () => (clearTimeout(timer), reject(new Error('aborted')));
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

const png = (width: number, height: number, seed: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: (seed >> 8) % 256, b: 90 } } }).png().toBuffer();

const stepHandlers: HandlerRegistry = {
  draft: async (ctx) => {
    const p = ctx.payload;
    if (p.prompt === 'bad-mask') throw new JobInputError('The mask is 32x32 but the picture is 64x64.');
    if (p.prompt === 'poison') process.kill(process.pid, 'SIGKILL');
    if (p.prompt === 'always-broken' || (process.env.BREAK_REQUESTS_ENDING && p.requestId.endsWith(process.env.BREAK_REQUESTS_ENDING))) throw new Error('[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code');
    if (p.prompt === 'transient-once' && ctx.attempt === 1) {
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    }
    const total = p.steps ?? 4;
    for (let step = 1; step <= total; step++) {
      await sleep(stepMs, ctx.signal);
      ctx.reportStep({ step, total, previewPng: () => png(16, 16, step) });
    }
    const keys: string[] = [];
    for (let v = 0; v < p.variants; v++) keys.push(await ctx.blobs.put(await png(p.width, p.height, p.seed + v), 'png'));
    return { keys, seeds: keys.map((_, v) => p.seed + v), steps: total, stepsSaved: 0 };
  },
};

async function handlers(): Promise<HandlerRegistry> {
  if (process.env.TEST_ENGINE !== '1') return stepHandlers;
  const { DiffusionEngine } = await import('../../src/diffusion/engine.js');
  const { engineHandlers, loadEngineDefaults } = await import('../../workers/render-handlers.js');
  const engine = await DiffusionEngine.load(config.MODEL_DIR, { threads: 1 });
  return engineHandlers(engine, await loadEngineDefaults(config));
}

const worker = await startRenderWorker({
  redisUrl: config.REDIS_URL,
  prefix: config.QUEUE_PREFIX,
  handlers: await handlers(),
  blobs: new FileBlobStore(config.DATA_DIR),
  log,
  concurrency: config.WORKER_CONCURRENCY,
  lockMs: config.WORKER_LOCK_MS,
  maxStalls: config.WORKER_MAX_STALLS,
  poisonLimit: config.WORKER_POISON_LIMIT,
  stalledIntervalMs: Number(process.env.STALLED_INTERVAL_MS ?? config.WORKER_LOCK_MS),
  previewEvery: config.PREVIEW_EVERY,
  cancelPollMs: 50,
  shutdownGraceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 5000),
});
process.stdout.write(`ready ${worker.id}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void worker.close().then(() => process.exit(0)));
}
