/**
 * The render queue's public surface. The bot uses FairQueue (enqueue, positions), cancelRender and
 * ResultDelivery; a worker process uses startRenderWorker with a HandlerRegistry and a BlobStore.
 * Everything else in src/queue is internal.
 */
export { FairQueue, type FairQueueOptions, type EnqueuedJob, type QueuePosition } from './fair-queue.js';
export { QueueFullError, type QueueLimit } from './queue-full-error.js';
export { JobInputError } from './job-input-error.js';
export {
  ANIMATE_MOTIONS,
  JOB_NAMES,
  parsePayload,
  payloadSchemas,
  storyLane,
  type JobName,
  type PayloadOf,
  type PayloadInput,
  type DraftPayload,
  type RefinePayload,
  type UpscalePayload,
  type AnimatePayload,
  type StylizePayload,
  type StoryboardPayload,
} from './job-payloads.js';
export { cancelRender, type CancelOutcome } from './cancellation.js';
export { describeInputs, explainFailure, type FailureExplanation, type FailureKind, type RetryWay } from './render-failure.js';
export { startRenderWorker, type RenderWorker, type RenderWorkerOptions } from './worker-runtime.js';
export type { HandlerContext, HandlerRegistry, JobHandler, JobResult, RenderProgress, StepReport } from './job-handler.js';
export { FileBlobStore, blobKeyOf, type BlobStore } from './blob-store.js';
export { BlobNotFoundError } from './blob-not-found-error.js';
export { ResultDelivery, type RenderOutcome, type ResultDeliveryOptions } from './result-delivery.js';
export { createQueueMetrics, depthOf, startMetricsServer, type QueueMetrics, type QueueDepth, type MetricsServer } from './metrics.js';
export { watchConnection, type ConnectionWatchOptions } from './connection-watch.js';
export { connectForBot, connectForWorker, deleteKeysUnder, RENDER_QUEUE_NAME } from './redis-connections.js';
export { measureEnqueueThroughput, measureEnqueueToStart, sampleDraft, type ThroughputResult, type LatencyResult } from './queue-bench.js';
