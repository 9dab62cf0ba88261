// Delivery leases on real Redis with a real worker process: a bot killed in the middle of a delivery
// (its `deliver` never returns, its connections drop, close() never runs) leaves a lease, not a
// 14-day guard, and a restarted bot delivers that result once the lease has run out, exactly once;
// a delivery that is slow but alive (lease not run out) is not delivered a second time by another
// bot; and a guard written before leases existed (a plain timestamp) still counts as delivered.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { connectForBot, ResultDelivery, sampleDraft, type RenderOutcome, type ResultDeliveryOptions } from '../src/queue/index.js';
import { queueKeys } from '../src/queue/redis-connections.js';
import { createTestbed, REDIS_URL, waitFor, type QueueTestbed } from './queue/queue-harness.js';

let bed: QueueTestbed | null = null;
const deliveries: ResultDelivery[] = [];
const extraConnections: Redis[] = [];
afterEach(async () => {
  await Promise.all(deliveries.splice(0).map((d) => d.close()));
  for (const c of extraConnections.splice(0)) c.disconnect();
  await bed?.cleanup();
  bed = null;
});

/** A logger whose lines (parsed) land in `lines`. */
function capturedLog(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', 'bot', { destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}

function delivery(b: QueueTestbed, opts: Partial<ResultDeliveryOptions> & Pick<ResultDeliveryOptions, 'deliver'>, connection: Redis = b.redis): ResultDelivery {
  return new ResultDelivery({ connection, queue: b.fq.queue, prefix: b.prefix, redisUrl: REDIS_URL, log: createLogger('silent'), ...opts });
}

/** A job that has finished (completed) on the bed's worker. */
async function finishedJob(b: QueueTestbed): Promise<string> {
  const { jobId } = await b.fq.enqueue('draft', sampleDraft('u'));
  await waitFor(async () => (await b.fq.queue.getJob(jobId))?.finishedOn, 30_000, `job ${jobId} to finish`);
  return jobId;
}

/**
 * A bot whose delivery of the next result hangs (as when it is SIGKILLed mid-delivery); `kill()`
 * drops its Redis connections without close(), as the process dying would.
 */
async function botStuckMidDelivery(b: QueueTestbed, leaseMs: number, release?: Promise<void>) {
  const connection = await connectForBot(REDIS_URL);
  extraConnections.push(connection);
  let started: (jobId: string) => void = () => {};
  const underWay = new Promise<string>((resolve) => (started = resolve));
  const seen: string[] = [];
  const d = delivery(b, {
    leaseMs,
    leaseCheckMs: 3_600_000, // its own check never runs during the test (a dead process has no timers)
    deliver: async (outcome) => {
      started(outcome.jobId);
      await (release ?? new Promise<void>(() => {}));
      seen.push(outcome.jobId);
    },
  }, connection);
  await d.start();
  return {
    d,
    seen,
    underWay,
    kill() {
      // The events connection is private; a dead process loses it with the rest.
      (d as unknown as { eventsConnection: Redis | null }).eventsConnection?.disconnect();
      connection.disconnect();
    },
  };
}

describe('delivery leases', () => {
  it('a result whose bot was killed mid-delivery is delivered by a restarted bot once the lease runs out, exactly once', async () => {
    bed = await createTestbed();
    const b = bed;
    await b.spawnWorker({ STEP_MS: '5' });
    const first = await botStuckMidDelivery(b, 3000);
    const jobId = await finishedJob(b);
    expect(await first.underWay).toBe(jobId);
    first.kill();
    const killedAt = Date.now();

    // The restarted bot comes up while the dead bot's lease still holds: its sweep skips the job,
    // its lease check picks it up after the lease ran out.
    const seen: RenderOutcome[] = [];
    const { log, lines } = capturedLog();
    const second = delivery(b, { log, leaseMs: 500, leaseCheckMs: 100, deliver: async (o) => void seen.push(o) });
    deliveries.push(second);
    await second.start();
    await waitFor(async () => seen.length >= 1, 30_000, 'the redelivery');
    console.log(`redelivered ${Date.now() - killedAt} ms after the kill (lease 3000 ms, check every 100 ms)`);
    expect(seen.map((o) => o.jobId)).toEqual([jobId]);
    expect(lines.filter((l) => l.msg === 'redelivering a result whose delivery was cut off' && l.jobId === jobId)).toHaveLength(1);
    // Delivered for good: the guard is final, the lease is gone, a third bot's sweep finds nothing.
    await waitFor(async () => (await b.redis.zcard(queueKeys.deliveryLeases(b.prefix))) === 0, 10_000, 'the lease to go');
    expect(await b.redis.get(queueKeys.delivered(b.prefix, jobId))).toMatch(/^\d+$/);
    expect(await b.redis.ttl(queueKeys.delivered(b.prefix, jobId))).toBeGreaterThan(13 * 24 * 3600);
    const third = delivery(b, { leaseMs: 500, leaseCheckMs: 100, deliver: async (o) => void seen.push(o) });
    deliveries.push(third);
    expect(await third.start()).toBe(0);
    expect(seen).toHaveLength(1);
    expect(first.seen).toEqual([]);
  }, 90_000);

  it('does not deliver a second time while a slow delivery is alive and its lease holds', async () => {
    bed = await createTestbed();
    const b = bed;
    await b.spawnWorker({ STEP_MS: '5' });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = await botStuckMidDelivery(b, 60_000, released);
    deliveries.push(first.d);
    const jobId = await finishedJob(b);
    await first.underWay;

    const seen: string[] = [];
    const second = delivery(b, { leaseMs: 500, leaseCheckMs: 100, deliver: async (o) => void seen.push(o.jobId) });
    deliveries.push(second);
    await second.start();
    // The slow delivery (a Discord edit waiting out a rate limit) outlives many of the second bot's
    // lease checks and its own short leaseMs; the lease it respects is the one the first bot wrote.
    await new Promise((r) => setTimeout(r, 1500));
    release();
    await waitFor(async () => (await b.redis.get(queueKeys.delivered(b.prefix, jobId)))?.match(/^\d+$/), 10_000, 'the final guard');
    expect(await b.redis.zcard(queueKeys.deliveryLeases(b.prefix))).toBe(0);
    expect(first.seen).toEqual([jobId]);
    expect(seen).toEqual([]);
  }, 90_000);

  it('never delivers again a job whose guard was written before leases (a plain timestamp)', async () => {
    bed = await createTestbed();
    const b = bed;
    await b.spawnWorker({ STEP_MS: '5' });
    // No bot listens while the job runs; then an old bot's guard is in place, even listed as an
    // expired lease (the worst case: it must still count as delivered).
    const jobId = await finishedJob(b);
    await b.redis.set(queueKeys.delivered(b.prefix, jobId), String(Date.now() - 60_000), 'EX', 14 * 24 * 3600);
    await b.redis.zadd(queueKeys.deliveryLeases(b.prefix), Date.now() - 60_000, jobId);
    const seen: string[] = [];
    const d = delivery(b, { leaseMs: 500, leaseCheckMs: 100, deliver: async (o) => void seen.push(o.jobId) });
    deliveries.push(d);
    expect(await d.start()).toBe(0);
    // The stale entry is cleared by a lease check without a delivery.
    await waitFor(async () => (await b.redis.zcard(queueKeys.deliveryLeases(b.prefix))) === 0, 10_000, 'the stale lease entry to go');
    expect(seen).toEqual([]);
    expect(await b.redis.get(queueKeys.delivered(b.prefix, jobId))).toMatch(/^\d+$/);
  }, 90_000);
});
