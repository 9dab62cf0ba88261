/**
 * `npm run worker`: the process a render host runs. It reads the configuration, loads the model
 * once, and serves the render queue with WORKER_CONCURRENCY jobs at a time until SIGINT/SIGTERM,
 * when it finishes (or hands back) its running jobs and closes its connections. Any number of these
 * can run on any number of hosts; they share only REDIS_URL and the blob store (DATA_DIR).
 */
import { hostname } from 'node:os';
import { createLogger } from '../src/log.js';
import { exitWithSentence, loadConfigOrExit, messageOf } from '../src/process/fatal.js';
import { assertRedisReachable } from '../src/process/redis-check.js';
import { lowerPriority } from '../src/process/lower-priority.js';
import { prepareBuiltInModel } from '../src/budget/toy-budget.js';
import { DiffusionEngine } from '../src/diffusion/engine.js';
import { Queue } from 'bullmq';
import { connectForWorker, createQueueMetrics, depthOf, FileBlobStore, RENDER_QUEUE_NAME, startMetricsServer, startRenderWorker } from '../src/queue/index.js';
import { engineHandlers, loadEngineDefaults } from './render-handlers.js';
import { screenPictures } from './safety-screen.js';
import { upscaleHandler } from './upscale-handler.js';
import { mediaHandlers } from '../src/media/jobs/index.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.LOG_LEVEL, 'render-worker');
  try {
    await assertRedisReachable(config.REDIS_URL);
  } catch (error) {
    exitWithSentence(messageOf(error));
  }
  await prepareBuiltInModel(config.MODEL_DIR, (line) => log.info(line));
  const engine = await DiffusionEngine.load(config.MODEL_DIR, DiffusionEngine.optionsFromConfig(config));
  log.info({ model: engine.describe() }, 'model loaded');
  // After the model loads, so onnxruntime's threads exist and are lowered with the rest.
  if (config.WORKER_NICE > 0) {
    try {
      log.info({ nice: config.WORKER_NICE, threads: lowerPriority(config.WORKER_NICE) }, 'render priority lowered');
    } catch (error) {
      log.warn({ err: error }, 'could not lower the render priority (WORKER_NICE)');
    }
  }
  const defaults = await loadEngineDefaults(config);
  if (!defaults.budget) log.warn(`${config.MODEL_DIR} has no budget.json: drafts use RENDER_STEPS until you run npm run budget:calibrate`);

  const workerId = `${hostname()}-${process.pid}`;
  // Depth is read through a queue handle of this worker's own, only when Prometheus scrapes.
  const depthQueue = new Queue(RENDER_QUEUE_NAME, { connection: connectForWorker(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
  const metrics = createQueueMetrics({ worker: workerId, depth: depthOf(depthQueue) });
  const server = config.METRICS_PORT > 0 ? await startMetricsServer(metrics.registry, config.METRICS_PORT) : null;
  const worker = await startRenderWorker({
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    handlers: {
      ...engineHandlers(engine, defaults),
      // Upscale tiles: UPSCALE_TILE_SIZE, else the side the model was trained at (512 when its folder does not say).
      upscale: upscaleHandler(engine, defaults, config.UPSCALE_TILE_SIZE || (engine.nativeSize ?? 512)),
      ...mediaHandlers({
        engine, ffmpeg: config, uploadLimitBytes: config.UPLOAD_LIMIT_BYTES, steps: config.RENDER_STEPS, guidance: config.RENDER_GUIDANCE,
        screen: (images) => screenPictures(engine, images, true, log),
      }),
    },
    blobs: new FileBlobStore(config.DATA_DIR),
    log,
    concurrency: config.WORKER_CONCURRENCY,
    lockMs: config.WORKER_LOCK_MS,
    maxStalls: config.WORKER_MAX_STALLS,
    poisonLimit: config.WORKER_POISON_LIMIT,
    previewEvery: config.PREVIEW_EVERY,
    workerId,
    metrics,
  });

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    try {
      await worker.close();
      await server?.close();
      await depthQueue.close();
      await engine.release();
    } catch (error) {
      // A rejection here would otherwise be unhandled (the signal listener drops the promise).
      exitWithSentence(`render worker did not shut down cleanly: ${messageOf(error)}`);
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => exitWithSentence(`render worker could not start: ${messageOf(error)}`));
