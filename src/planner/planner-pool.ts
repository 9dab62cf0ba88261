/**
 * The offline planner, run off the bot's event loop. Planning a long passage takes hundreds of
 * milliseconds to seconds of pure CPU; on the bot's own thread that would freeze every other member's
 * buttons and commands for as long. PlannerPool is a Planner (same plans as OfflinePlanner) that sends
 * each passage to a small pool of worker_threads running the pure planner (planner-thread.ts):
 *
 * - `threads` threads (default 1), each planning one passage at a time;
 * - at most `maxQueued` passages wait for a thread; more are refused at once (PlannerBusyError);
 * - a passage that runs longer than `timeoutMs` is given up: its thread is ended and replaced;
 * - a thread that dies is replaced, and the passage it held is answered with a PlannerBusyError.
 *
 * The planner code itself stays pure and synchronous; this file is only the adapter.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { startTypeScriptThread } from '../process/typescript-thread.js';
import { PlannerBusyError, type PlannerBusyReason } from './planner-busy-error.js';
import type { PlanInput, PlanResult, Planner } from './plan.js';
import { THREAD_READY, type PlanReply, type PlanRequest } from './serve-plans.js';

export interface PlannerPoolOptions {
  /** Planner threads (default 1: the bot's machine also runs workers). */
  threads?: number;
  /** Passages that may wait for a free thread (default 16). */
  maxQueued?: number;
  /** Longest a passage may plan before it is given up and its thread replaced (default 60 s). */
  timeoutMs?: number;
  /** The thread's entry module (default planner-thread.ts; tests pass a thread that misbehaves on cue). */
  entry?: URL;
  log?: Logger;
}

interface Task {
  id: number;
  input: PlanInput;
  resolve(result: PlanResult): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Set once the pool has let go of this thread (replaced or closed); its events are ignored. */
  retired: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
}

const DEFAULT_ENTRY = new URL('./planner-thread.ts', import.meta.url);
const MAX_RESPAWN_DELAY_MS = 30_000;

export class PlannerPool implements Planner {
  readonly kind = 'offline' as const;
  /** Threads replaced after a crash or a timeout, since the pool started. */
  restarts = 0;
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private readonly threads: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;
  private readonly entry: URL;
  private nextId = 1;
  private closed = false;
  private respawnDelayMs = 0;

  constructor(private readonly options: PlannerPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? 1);
    this.maxQueued = Math.max(0, options.maxQueued ?? 16);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.entry = options.entry ?? DEFAULT_ENTRY;
    for (let i = 0; i < this.threads; i++) this.slots.push(this.spawn());
  }

  /** Resolves once every thread has loaded the planner (optional: plan() waits by itself). */
  async ready(): Promise<void> {
    while (!this.closed && !this.slots.every((s) => s.ready)) await new Promise((r) => setTimeout(r, 20));
  }

  plan(input: PlanInput, signal?: AbortSignal): Promise<PlanResult> {
    if (this.closed) return Promise.reject(new PlannerBusyError('closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const idle = this.slots.some((s) => s.ready && !s.task);
    if (!idle && this.waiting.length >= this.maxQueued) return Promise.reject(new PlannerBusyError('queue-full'));
    return new Promise<PlanResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, input, resolve, reject, signal };
      signal?.addEventListener('abort', () => {
        // A passage nobody waits for any more leaves the queue; one already planning just finishes.
        const at = this.waiting.indexOf(task);
        if (at >= 0) {
          this.waiting.splice(at, 1);
          reject(signal.reason);
        }
      }, { once: true });
      this.waiting.push(task);
      this.pump();
    });
  }

  /** Ends every thread; waiting and running passages get PlannerBusyError('closed'). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.waiting.splice(0)) task.reject(new PlannerBusyError('closed'));
    await Promise.all(this.slots.map(async (slot) => {
      this.retire(slot)?.reject(new PlannerBusyError('closed'));
      await slot.worker.terminate();
    }));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (!slot.ready || slot.task || slot.retired) continue;
      const task = this.waiting.shift()!;
      slot.task = task;
      slot.worker.ref(); // a passage in flight keeps the process alive; an idle thread does not
      slot.timer = setTimeout(() => this.replace(slot, 'timeout'), this.timeoutMs);
      const request: PlanRequest = { id: task.id, input: task.input };
      slot.worker.postMessage(request);
    }
  }

  private spawn(): Slot {
    const worker = startTypeScriptThread(this.entry);
    const slot: Slot = { worker, ready: false, retired: false };
    worker.unref();
    worker.on('message', (message: PlanReply | typeof THREAD_READY) => {
      if (slot.retired) return;
      if (message === THREAD_READY) {
        slot.ready = true;
        this.respawnDelayMs = 0;
        this.pump();
        return;
      }
      const task = slot.task;
      if (!task || message.id !== task.id) return;
      clearTimeout(slot.timer);
      slot.task = undefined;
      worker.unref();
      if ('error' in message) task.reject(new Error(`the offline planner failed: ${message.error}`));
      else task.resolve(message.result);
      this.pump();
    });
    worker.on('error', (error) => {
      if (!slot.retired) this.options.log?.error({ err: error }, 'planner thread crashed');
    });
    worker.on('exit', (code) => {
      if (slot.retired) return;
      this.options.log?.warn({ code, planning: slot.task !== undefined }, 'planner thread exited; starting another');
      this.replace(slot, 'crashed');
    });
    return slot;
  }

  /** Lets go of `slot`'s thread (ended by the caller) and returns the passage it held. */
  private retire(slot: Slot): Task | undefined {
    slot.retired = true;
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    return task;
  }

  /** Gives up `slot`'s passage with `reason`, ends its thread and starts a fresh one in its place. */
  private replace(slot: Slot, reason: PlannerBusyReason): void {
    if (slot.retired || this.closed) return;
    const diedBeforeReady = !slot.ready;
    this.retire(slot)?.reject(new PlannerBusyError(reason));
    if (reason === 'timeout') this.options.log?.warn({ timeoutMs: this.timeoutMs }, 'a passage took too long to plan; replacing its planner thread');
    void slot.worker.terminate();
    this.restarts++;
    const index = this.slots.indexOf(slot);
    if (!diedBeforeReady) {
      this.slots[index] = this.spawn();
      return;
    }
    // A thread that cannot even start would fail every passage: say so to those waiting, and retry
    // with a growing delay instead of spinning.
    for (const task of this.waiting.splice(0)) task.reject(new PlannerBusyError('crashed'));
    this.respawnDelayMs = Math.min(MAX_RESPAWN_DELAY_MS, Math.max(500, this.respawnDelayMs * 2));
    setTimeout(() => {
      if (!this.closed && this.slots[index] === slot) this.slots[index] = this.spawn();
    }, this.respawnDelayMs).unref();
  }
}
