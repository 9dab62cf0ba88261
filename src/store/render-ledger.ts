/**
 * A story's time/energy ledger: one entry per finished draft or refine render, with the time spent
 * in the models, the steps run, and the steps and time the step budget saved. Entries live in one
 * Redis hash per story keyed by the render's job id and are written with HSETNX, because a result
 * may be delivered again (ResultDelivery drops its guard when a delivery fails half-way, and delivers
 * again when its bot was killed mid-delivery) and a render must still be counted once. The budget
 * (with its predicted curve) is kept on the entry so /budget can chart the latest draft without
 * asking a worker.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BUDGET_QUALITIES } from '../core/budget/budget-rule.js';
import { StoredRecordError } from './stored-record-error.js';

const stepBudgetSchema = z.object({
  predictedSteps: z.number().int().min(1),
  defaultSteps: z.number().int().min(1),
  quality: z.enum(BUDGET_QUALITIES),
  curve: z.array(z.object({ steps: z.number(), ssim: z.number() })).max(200),
  savedSteps: z.number().int().min(0),
  reason: z.string().max(500),
  msSaved: z.number().min(0),
});

export const ledgerRecordSchema = z.object({
  /** The render job's id (= the draft id): the idempotency key. */
  jobId: z.string().min(1).max(100),
  draftId: z.string().min(1).max(100),
  kind: z.enum(['draft', 'refine', 'upscale']),
  /** When the bot recorded it (ms since the epoch). */
  at: z.number().int().nonnegative(),
  /** Milliseconds spent in the models (what the energy estimate counts). */
  modelMs: z.number().min(0),
  steps: z.number().int().min(0),
  stepsSaved: z.number().int().min(0),
  /** Time the saved steps would have taken, from the render's own time per step. */
  msSaved: z.number().min(0),
  budget: stepBudgetSchema.optional(),
});
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

export class RedisRenderLedger {
  /** @param prefix key prefix shared with the story repository, e.g. "taleframe:story:" */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(storyId: string): string {
    return `${this.prefix}ledger:${storyId}`;
  }

  /** Records a render once; false (and nothing changes) when its job id is already in the ledger. */
  async record(storyId: string, entry: LedgerRecord): Promise<boolean> {
    const valid = ledgerRecordSchema.parse(entry);
    return (await this.redis.hsetnx(this.key(storyId), valid.jobId, JSON.stringify(valid))) === 1;
  }

  /** A story's entries, oldest first. */
  async list(storyId: string): Promise<LedgerRecord[]> {
    const key = this.key(storyId);
    const stored = await this.redis.hgetall(key);
    return Object.values(stored)
      .map((text) => {
        const parsed = ledgerRecordSchema.safeParse(safeJson(text));
        if (!parsed.success) throw new StoredRecordError(key, parsed.error.issues[0]?.message ?? 'invalid entry');
        return parsed.data;
      })
      .sort((a, b) => a.at - b.at || a.jobId.localeCompare(b.jobId));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
