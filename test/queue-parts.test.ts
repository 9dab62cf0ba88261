// The render queue's small parts without worker processes: payload schemas, the file blob store,
// the ETA model, transient-error sorting and the /metrics endpoint.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, createQueueMetrics, depthOf, FileBlobStore, parsePayload, sampleDraft, startMetricsServer, storyLane } from '../src/queue/index.js';
import { estimateEta } from '../src/queue/render-eta.js';
import { createTestbed } from './queue/queue-harness.js';
import { isTransientError } from '../src/queue/transient-error.js';

describe('job payloads', () => {
  it('parses a draft and applies defaults', () => {
    const { negative, ...input } = sampleDraft('u1');
    const parsed = parsePayload('draft', input);
    expect(parsed.ok && parsed.payload.negative).toBe('');
  });

  it('names the field and the rule when a payload is wrong', () => {
    expect(parsePayload('draft', sampleDraft('u1', { width: 500 }))).toEqual({
      ok: false,
      reason: 'The draft request is not valid: width must be a multiple of 8.',
    });
    expect(parsePayload('draft', { ...sampleDraft('u1'), variants: 5 })).toMatchObject({ ok: false });
    expect(parsePayload('refine', { v: 1 })).toMatchObject({ ok: false });
  });

  it('refuses unknown payload versions in one sentence', () => {
    expect(parsePayload('stylize', { v: 3 })).toEqual({
      ok: false,
      reason: 'The stylize request uses payload version 3, which this worker does not understand.',
    });
  });

  it('puts story-less jobs in the user\'s solo lane', () => {
    expect(storyLane({ userId: 'u1' })).toBe('solo:u1');
    expect(storyLane({ userId: 'u1', storyId: 's9' })).toBe('s9');
  });
});

describe('file blob store', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('stores content-addressed, idempotently, leaving no temp files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'taleframe-blobs-'));
    const store = new FileBlobStore(dir);
    const bytes = new TextEncoder().encode('hello panel');
    const key = await store.put(bytes, 'png');
    expect(key).toMatch(/^[0-9a-f]{64}\.png$/);
    expect(await store.put(bytes, '.PNG')).toBe(key);
    expect(await store.has(key)).toBe(true);
    expect((await store.get(key)).toString()).toBe('hello panel');
    expect(await readdir(join(dir, 'blobs', key.slice(0, 2)))).toEqual([key]);
  });

  it('throws BlobNotFoundError for a missing key and refuses non-keys', async () => {
    const store = new FileBlobStore(dir);
    await expect(store.get(`${'0'.repeat(64)}.png`)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(() => store.pathOf('../../etc/passwd')).toThrow(/not a blob key/);
  });
});

describe('eta and errors', () => {
  it('estimates start and finish from position, active jobs and worker slots', () => {
    expect(estimateEta(1, 0, 1, 1000)).toEqual({ startMs: 0, doneMs: 1000 });
    expect(estimateEta(1, 1, 1, 1000)).toEqual({ startMs: 1000, doneMs: 2000 });
    expect(estimateEta(3, 2, 2, 1000)).toEqual({ startMs: 1500, doneMs: 2500 });
    expect(estimateEta(3, 2, 2, null)).toBeNull();
  });

  it('sorts transient failures from the rest', () => {
    expect(isTransientError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientError(new Error('Failed to allocate memory for requested buffer'))).toBe(true);
    expect(isTransientError(new Error('height 500 is not a multiple of 8'))).toBe(false);
  });
});

describe('metrics', () => {
  it('serves queue depth, wait and render histograms and step counters at /metrics', async () => {
    const metrics = createQueueMetrics({ worker: 'w-test', depth: async () => ({ waiting: 3, active: 1, delayed: 0 }) });
    metrics.stepsRun.inc({ name: 'draft' }, 12);
    metrics.renderSeconds.observe({ name: 'draft', outcome: 'completed' }, 1.5);
    const server = await startMetricsServer(metrics.registry, 0, '127.0.0.1');
    try {
      const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(body).toContain('taleframe_queue_jobs{state="waiting",worker="w-test"} 3');
      expect(body).toContain('taleframe_render_steps_total{name="draft",worker="w-test"} 12');
      expect(body).toContain('taleframe_render_seconds_count{worker="w-test",name="draft",outcome="completed"} 1');
      expect(body).toContain('taleframe_queue_wait_seconds');
      expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('counts fairly scheduled (prioritized) jobs as waiting in the depth read from Redis', async () => {
    const bed = await createTestbed();
    try {
      await bed.fq.enqueue('draft', sampleDraft('alice'));
      await bed.fq.enqueue('draft', sampleDraft('bob'));
      expect(await depthOf(bed.fq.queue)()).toEqual({ waiting: 2, active: 0, delayed: 0 });
    } finally {
      await bed.cleanup();
    }
  });
});
