/**
 * Prometheus metrics for the render queue, in a registry of their own (prom-client): queue depth
 * by state, time from enqueue to start, render time, steps run and steps saved by step budgets.
 * Every series carries a `worker` label (the worker id, or "bot"). `startMetricsServer` serves
 * GET /metrics when METRICS_PORT > 0.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
}

export interface QueueMetrics {
  readonly registry: Registry;
  /** Seconds from enqueue to first start, by job name. */
  readonly waitSeconds: Histogram<'name'>;
  /** Seconds a handler ran, by job name and outcome (completed, failed, cancelled, released). */
  readonly renderSeconds: Histogram<'name' | 'outcome'>;
  readonly stepsRun: Counter<'name'>;
  readonly stepsSaved: Counter<'name'>;
}

export interface QueueMetricsOptions {
  /** Value of the `worker` label on every series. */
  worker: string;
  /** Reads queue depth at scrape time (e.g. from Queue.getJobCounts); omitted -> no depth gauge. */
  depth?: () => Promise<QueueDepth>;
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640];

export function createQueueMetrics(opts: QueueMetricsOptions): QueueMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: opts.worker });
  const metrics: QueueMetrics = {
    registry,
    waitSeconds: new Histogram({
      name: 'taleframe_queue_wait_seconds',
      help: 'Time from enqueue to start of a render job.',
      labelNames: ['name'],
      buckets: SECONDS,
      registers: [registry],
    }),
    renderSeconds: new Histogram({
      name: 'taleframe_render_seconds',
      help: 'Time a worker spent on a render job.',
      labelNames: ['name', 'outcome'],
      buckets: SECONDS,
      registers: [registry],
    }),
    stepsRun: new Counter({
      name: 'taleframe_render_steps_total',
      help: 'Denoising steps run.',
      labelNames: ['name'],
      registers: [registry],
    }),
    stepsSaved: new Counter({
      name: 'taleframe_render_steps_saved_total',
      help: 'Steps not run thanks to step budgets (requested minus run).',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
  const depth = opts.depth;
  if (depth) {
    new Gauge({
      name: 'taleframe_queue_jobs',
      help: 'Render jobs in the queue by state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const d = await depth();
        for (const state of ['waiting', 'active', 'delayed'] as const) this.set({ state }, d[state]);
      },
    });
  }
  return metrics;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `registry` at GET /metrics on `port` (0 picks a free port). */
export async function startMetricsServer(registry: Registry, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500).end(`metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Queue depth read from BullMQ at scrape time. Prioritized jobs (every fairly-scheduled job) are
 * waiting too: BullMQ keeps them in a state of their own.
 */
export function depthOf(queue: Queue): () => Promise<QueueDepth> {
  return async () => {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0 };
  };
}
