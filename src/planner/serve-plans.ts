/**
 * What a planner thread does (see planner-pool.ts): plans each passage it is sent with the pure
 * offline planner and posts the plan back. It plans a short passage first, so the noun lexicon and
 * the sentence parser are loaded before the first real passage arrives, and then says "ready".
 */
import { parentPort } from 'node:worker_threads';
import { planOffline } from './offline-planner.js';
import type { PlanInput, PlanResult } from './plan.js';

export interface PlanRequest {
  id: number;
  input: PlanInput;
}

export type PlanReply = { id: number; result: PlanResult } | { id: number; error: string };

export const THREAD_READY = 'ready';

const WARM_UP = 'The fox walked into the old forest at night. A crow sat on a branch and watched him.';

/** Answers one request with the offline planner's plan (or the error it threw). */
export function answerPlan(request: PlanRequest): PlanReply {
  try {
    return { id: request.id, result: planOffline(request.input) };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Warms the planner up, says ready, then answers requests until the pool ends the thread. */
export function servePlans(answer: (request: PlanRequest) => PlanReply = answerPlan): void {
  const port = parentPort;
  if (!port) throw new Error('servePlans runs inside a worker thread started by PlannerPool');
  planOffline({ passage: WARM_UP });
  port.on('message', (request: PlanRequest) => port.postMessage(answer(request)));
  port.postMessage(THREAD_READY);
}
