/**
 * Where vote reactions wait their turn. A busy server delivers reactions in bursts (500 at once in the
 * load bench), and counting one takes several Redis round trips; handled as they arrive, a burst's
 * Redis replies and their continuations ran as one long turn of the event loop and slash commands
 * waited behind it for their 3-second acknowledgement (measured: a 620 ms turn, acks at p50 0.7-1 s).
 * Here each reaction is started from a setImmediate, a few at a time, so the gateway's next events
 * and every interaction's reply are read in between.
 *
 * Order is kept per key (a member's add and remove on one message apply in the order Discord sent
 * them); different keys run side by side up to `concurrency`. A failed task is the caller's to
 * report (`run` catches); the lane never stops for it. `drain()` waits until everything pushed so far
 * has run, so a stopping bot counts the reactions it has already received.
 */

export interface ReactionLaneOptions {
  /**
   * Tasks running at once (default 2). Each vote is a chain of Redis round trips, so two already count
   * hundreds a second; in the load bench 2 instead of 8 cut the acknowledgement p99 by about a third
   * (less of the burst's CPU went to votes) and 500 votes were still counted within 1-1.5 s.
   */
  concurrency?: number;
}

type Task = () => Promise<void>;

export class ReactionLane {
  private readonly concurrency: number;
  /** Tasks whose key has nothing running, in arrival order. */
  private readonly ready: Array<{ key: string; task: Task }> = [];
  /** Tasks waiting behind a ready or running task of the same key. */
  private readonly waiting = new Map<string, Task[]>();
  /** Keys with a task ready or running. */
  private readonly activeKeys = new Set<string>();
  private running = 0;
  private scheduled = false;
  private idle: Array<() => void> = [];

  constructor(options: ReactionLaneOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 2);
  }

  /** Tasks not finished yet (running or waiting). */
  get pending(): number {
    let waiting = 0;
    for (const list of this.waiting.values()) waiting += list.length;
    return this.running + this.ready.length + waiting;
  }

  /** Queues `task` behind earlier tasks of `key`. */
  push(key: string, task: Task): void {
    if (this.activeKeys.has(key)) {
      const queued = this.waiting.get(key);
      if (queued) queued.push(task);
      else this.waiting.set(key, [task]);
    } else {
      this.activeKeys.add(key);
      this.ready.push({ key, task });
    }
    this.schedule();
  }

  /** Resolves once every task pushed so far (and any they queue) has finished. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.concurrency || this.ready.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startOne();
      this.schedule();
    });
  }

  /** One task per turn: a burst becomes many short turns, not one long one. */
  private startOne(): void {
    const next = this.ready.shift();
    if (!next) return;
    this.running++;
    void next.task()
      .catch(() => {})
      .finally(() => this.finish(next.key));
  }

  private finish(key: string): void {
    this.running--;
    const queued = this.waiting.get(key);
    if (queued) {
      this.ready.push({ key, task: queued.shift()! });
      if (queued.length === 0) this.waiting.delete(key);
    } else {
      this.activeKeys.delete(key);
    }
    if (this.pending === 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
    this.schedule();
  }
}
