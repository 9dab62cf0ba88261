import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOffline, PlannerBusyError, PlannerPool, type PlanInput } from '../src/planner/index.js';

const passagesDir = new URL('./planner-passages/', import.meta.url);
const passages = readdirSync(passagesDir).filter((f) => f.endsWith('.txt')).sort()
  .map((f) => readFileSync(new URL(f, passagesDir), 'utf8'));
// The test thread misbehaves on these words (see planner/misbehaving-planner-thread.ts).
const misbehaving = new URL('./planner/misbehaving-planner-thread.ts', import.meta.url);
const CRASH = 'CRASH-THE-THREAD';
const HANG = 'HANG-THE-THREAD';
const FOX = 'A hungry Fox saw some fine bunches of Grapes hanging from a vine in the garden. She jumped and jumped, but could not reach them.';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => new Error('expected the plan to be refused'), (error: unknown) => error);
}

describe('PlannerPool (the offline planner in worker threads)', () => {
  let pool: PlannerPool;
  beforeAll(() => {
    pool = new PlannerPool({ threads: 1 });
  });
  afterAll(() => pool.close());

  it('plans every sample passage exactly as the planner does in-process', async () => {
    expect(passages.length).toBeGreaterThan(10);
    for (const passage of passages) {
      const input: PlanInput = { passage, maxScenes: 4 };
      expect(await pool.plan(input)).toEqual(planOffline(input));
    }
  });

  it('keeps the cast it is given and plans concurrent passages in order of arrival', async () => {
    const cast = { Fox: { description: 'a lean red fox with a white-tipped tail', addedBy: 'owner' } } as PlanInput['cast'];
    const inputs: PlanInput[] = passages.slice(0, 5).map((passage) => ({ passage, cast }));
    const plans = await Promise.all(inputs.map((input) => pool.plan(input)));
    expect(plans).toEqual(inputs.map((input) => planOffline(input)));
    // A non-English passage keeps its one sentence through the thread.
    const german = passages.find((p) => /Rotkäppchen/.test(p))!;
    expect((await pool.plan({ passage: german })).notice).toBe(planOffline({ passage: german }).notice);
  });
});

describe('PlannerPool faults', () => {
  it('answers a crashed or hung thread with a friendly sentence and plans the next passage', async () => {
    const pool = new PlannerPool({ threads: 1, timeoutMs: 5_000, entry: misbehaving });
    try {
      const crashed = await rejection(pool.plan({ passage: `${FOX} ${CRASH}` }));
      expect(crashed).toBeInstanceOf(PlannerBusyError);
      expect((crashed as PlannerBusyError).reason).toBe('crashed');
      expect((crashed as Error).message).toMatch(/^The story planner stopped while reading that passage; please try again/);
      expect(await pool.plan({ passage: FOX })).toEqual(planOffline({ passage: FOX }));

      const hung = await rejection(pool.plan({ passage: `${FOX} ${HANG}` }));
      expect((hung as PlannerBusyError).reason).toBe('timeout');
      expect((hung as Error).message).toBe('That passage took too long to plan; try a shorter passage, or try again in a minute.');
      expect(await pool.plan({ passage: FOX })).toEqual(planOffline({ passage: FOX }));
      expect(pool.restarts).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('refuses passages beyond its queue at once, plans the ones it accepted, and answers the rest when it closes', async () => {
    const pool = new PlannerPool({ threads: 1, maxQueued: 1, timeoutMs: 5_000, entry: misbehaving });
    try {
      await pool.ready();
      const stuck = rejection(pool.plan({ passage: `${FOX} ${HANG}` }));
      const queued = pool.plan({ passage: FOX });
      const refused = await rejection(pool.plan({ passage: FOX }));
      expect((refused as PlannerBusyError).reason).toBe('queue-full');
      expect((refused as Error).message).toBe('The story planner is busy with other passages right now; please try again in a minute.');
      expect(((await stuck) as PlannerBusyError).reason).toBe('timeout');
      expect(await queued).toEqual(planOffline({ passage: FOX }));

      await pool.ready();
      const running = rejection(pool.plan({ passage: `${FOX} ${HANG}` }));
      const waiting = rejection(pool.plan({ passage: FOX }));
      await pool.close();
      expect(((await running) as PlannerBusyError).reason).toBe('closed');
      expect(((await waiting) as PlannerBusyError).reason).toBe('closed');
      expect(((await rejection(pool.plan({ passage: FOX }))) as PlannerBusyError).reason).toBe('closed');
    } finally {
      await pool.close();
    }
  });
});
