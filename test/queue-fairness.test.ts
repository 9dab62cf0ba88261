// Fair enqueue on real Redis: user and story round-robin through BullMQ priorities, caps, positions
// and ETAs, rebasing of virtual time. Worker processes are real (test/queue/step-worker.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { QueueFullError, sampleDraft } from '../src/queue/index.js';
import { announceWorker, recordRenderTime } from '../src/queue/render-eta.js';
import { createTestbed, waitFor, type QueueTestbed } from './queue/queue-harness.js';

let bed: QueueTestbed | null = null;
afterEach(async () => {
  await bed?.cleanup();
  bed = null;
});

describe('fair queue', () => {
  it('serves A1, B1, A2, A3 with one worker when A queued 3 before B queued 1', async () => {
    bed = await createTestbed();
    const ids: Record<string, string> = {};
    for (const name of ['A1', 'A2', 'A3']) ids[name] = (await bed.fq.enqueue('draft', sampleDraft('userA', { steps: 2 }))).jobId;
    ids.B1 = (await bed.fq.enqueue('draft', sampleDraft('userB', { steps: 2 }))).jobId;
    await bed.spawnWorker({ STEP_MS: '20' });
    const fq = bed.fq;
    const jobs = await waitFor(async () => {
      const done = await fq.queue.getJobs(['completed']);
      return done.length === 4 ? done : undefined;
    }, 30_000, 'four completed jobs');
    const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    const order = jobs.sort((a, b) => a.processedOn! - b.processedOn!).map((j) => byId[j.id!]);
    expect(order).toEqual(['A1', 'B1', 'A2', 'A3']);
  });

  it("round-robins a user's stories inside the user's turns (priorities rewritten in Redis)", async () => {
    bed = await createTestbed();
    const add = async (user: string, storyId: string) =>
      (await bed!.fq.enqueue('draft', sampleDraft(user, { storyId }))).jobId;
    const a1 = await add('userA', 's1');
    const a2 = await add('userA', 's1');
    const a3 = await add('userA', 's1');
    const b1 = await add('userB', 'sb');
    const a4 = await add('userA', 's2'); // a new story of A takes A's second turn
    const order = await bed.redis.zrange(bed.fq.queue.keys.prioritized!, 0, -1);
    expect(order).toEqual([a1, b1, a4, a2, a3]);
    expect((await bed.fq.queue.getJob(a2))!.priority).toBe(3);
    // Positions follow the same order.
    const positions = await Promise.all(order.map((id) => bed!.fq.positionOf(id)));
    expect(positions.map((p) => p.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives back a slot when a waiting job is cancelled', async () => {
    bed = await createTestbed();
    const { cancelRender } = await import('../src/queue/index.js');
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await bed.fq.enqueue('draft', sampleDraft('userA'))).jobId);
    expect(await cancelRender(bed.fq, a[0]!)).toBe('removed');
    const b1 = (await bed.fq.enqueue('draft', sampleDraft('userB'))).jobId;
    const order = await bed.redis.zrange(bed.fq.queue.keys.prioritized!, 0, -1);
    expect(order).toEqual([a[1], b1, a[2]]);
  });

  it('refuses with QueueFullError past the per-user and per-story caps', async () => {
    bed = await createTestbed({ maxWaitingPerUser: 2, maxWaitingPerStory: 3 });
    await bed.fq.enqueue('draft', sampleDraft('u1', { storyId: 'st' }));
    await bed.fq.enqueue('draft', sampleDraft('u1', { storyId: 'st' }));
    const refused = await bed.fq.enqueue('draft', sampleDraft('u1', { storyId: 'other' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as QueueFullError).limit).toBe('user');
    expect((refused as Error).message).toBe('You already have 2 renders waiting (the limit is 2); wait for one to finish or cancel one.');
    await bed.fq.enqueue('draft', sampleDraft('u2', { storyId: 'st' }));
    const story = await bed.fq.enqueue('draft', sampleDraft('u3', { storyId: 'st' })).catch((e: unknown) => e);
    expect((story as QueueFullError).limit).toBe('story');
    expect((story as Error).message).toMatch(/^This story already has 3 renders waiting/);
    // Refusals leave no job behind.
    expect(await bed.fq.queue.getPrioritizedCount()).toBe(3);
  });

  it('is idempotent per requestId', async () => {
    bed = await createTestbed();
    const payload = sampleDraft('u1');
    const first = await bed.fq.enqueue('draft', payload);
    const again = await bed.fq.enqueue('draft', payload);
    expect(again.created).toBe(false);
    expect(again.jobId).toBe(first.jobId);
    expect(await bed.fq.queue.getPrioritizedCount()).toBe(1);
  });

  it('reports positions and an ETA from the moving average and live worker slots', async () => {
    bed = await createTestbed();
    const ids = [];
    for (const user of ['a', 'b', 'c', 'd']) ids.push((await bed.fq.enqueue('draft', sampleDraft(user))).jobId);
    expect((await bed.fq.positionOf(ids[3]!)).etaStartMs).toBeNull(); // no render time known yet
    await recordRenderTime(bed.redis, bed.prefix, 'draft', 1000);
    await announceWorker(bed.redis, bed.prefix, 'w1', 2);
    const p = await bed.fq.positionOf(ids[3]!);
    expect(p).toMatchObject({ state: 'waiting', position: 4, etaStartMs: 1000, etaDoneMs: 2000 });
    expect((await bed.fq.positionOf(ids[0]!)).etaStartMs).toBe(0);
  });

  it('restarts virtual time once the queue has drained', async () => {
    bed = await createTestbed();
    await bed.redis.set(`${bed.prefix}:fair:V`, 1_500_000);
    const job = await bed.fq.enqueue('draft', sampleDraft('u1'));
    expect(job.priority).toBe(1);
  });
});
