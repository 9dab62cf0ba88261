import { describe, expect, it } from 'vitest';
import { setImmediate as turn } from 'node:timers/promises';
import { ReactionLane } from '../src/discord/votes/reaction-lane.js';

/** A task that records when it starts and ends and finishes when `release()` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); }, release: () => release() };
}

describe('ReactionLane', () => {
  it('keeps the order of one key and runs different keys side by side', async () => {
    const lane = new ReactionLane({ concurrency: 4 });
    const log: string[] = [];
    const a1 = gate(log, 'a1');
    const a2 = gate(log, 'a2');
    const b1 = gate(log, 'b1');
    lane.push('a', a1.task);
    lane.push('a', a2.task);
    lane.push('b', b1.task);
    for (let i = 0; i < 5; i++) await turn();
    expect(log).toEqual(['start a1', 'start b1']);
    a1.release();
    for (let i = 0; i < 5; i++) await turn();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    a2.release();
    b1.release();
    await lane.drain();
    expect(log.filter((l) => l.startsWith('end'))).toEqual(['end a1', 'end a2', 'end b1']);
    expect(lane.pending).toBe(0);
  });

  it('never runs more than its concurrency, and drain waits for every task pushed', async () => {
    const lane = new ReactionLane({ concurrency: 3 });
    let running = 0;
    let most = 0;
    let finished = 0;
    for (let i = 0; i < 50; i++) {
      lane.push(`k${i % 7}`, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        finished++;
      });
    }
    expect(lane.pending).toBe(50);
    await lane.drain();
    expect(finished).toBe(50);
    expect(most).toBe(3);
  });

  it('starts at most one task per event-loop turn, so other callbacks run in between', async () => {
    const lane = new ReactionLane({ concurrency: 100 });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) lane.push(`k${i}`, async () => { order.push(`task ${i}`); });
    setImmediate(() => order.push('other'));
    await lane.drain();
    // The lane's first turn was scheduled before "other"; the next ones come after it.
    expect(order).toEqual(['task 0', 'other', 'task 1', 'task 2']);
  });

  it('goes on after a failing task, and drain resolves at once when nothing is pending', async () => {
    const lane = new ReactionLane();
    await lane.drain();
    const done: number[] = [];
    lane.push('x', async () => { throw new Error('redis is down'); });
    lane.push('x', async () => { done.push(2); });
    await lane.drain();
    expect(done).toEqual([2]);
  });
});
