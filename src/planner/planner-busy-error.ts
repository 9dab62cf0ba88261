/**
 * The planner thread pool could not plan a passage: its queue was full, the passage took longer than
 * PLANNER_TIMEOUT_MS, or the thread stopped while reading it. `message` is one sentence the bot can
 * show as is; `reason` tells the cases apart for logs and tests.
 */
export type PlannerBusyReason = 'queue-full' | 'timeout' | 'crashed' | 'closed';

const SENTENCES: Record<PlannerBusyReason, string> = {
  'queue-full': 'The story planner is busy with other passages right now; please try again in a minute.',
  timeout: 'That passage took too long to plan; try a shorter passage, or try again in a minute.',
  crashed: 'The story planner stopped while reading that passage; please try again, or rephrase the passage.',
  closed: 'The story planner is shutting down; please try again in a minute.',
};

export class PlannerBusyError extends Error {
  override readonly name = 'PlannerBusyError';

  constructor(readonly reason: PlannerBusyReason) {
    super(SENTENCES[reason]);
  }
}
