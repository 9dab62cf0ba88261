/**
 * Votes on a draft's variants: which one becomes the scene's panel. The rules are the group's
 * contract, so they live here, pure and tested without Discord or Redis:
 *  - one vote per member; a newer vote replaces the older (a vote that arrives late but was cast
 *    earlier does not undo a newer one);
 *  - a round closes when `quorum` distinct members have voted, or at the deadline, or when the owner
 *    closes it;
 *  - the winner has the most votes; a tie goes to the variant the story owner voted for, else to the
 *    tied variant whose earliest standing vote came first. No votes, no winner (null).
 */
import { z } from 'zod';
import { votingRulesSchema } from './story.js';

export const voteSchema = z.object({
  memberId: z.string().min(1).max(100),
  variant: z.number().int().nonnegative(),
  /** ms since the epoch */
  castAt: z.number().int().nonnegative(),
  /**
   * How it was cast: a number reaction (withdrawn when the reaction goes, also while the bot was
   * away) or a Pick button (stays until replaced). Absent on older ballots: treated as a reaction.
   */
  via: z.enum(['reaction', 'button']).optional(),
});
export type Vote = z.infer<typeof voteSchema>;

export const closeReasonSchema = z.enum(['quorum', 'deadline', 'owner']);
export type CloseReason = z.infer<typeof closeReasonSchema>;

export const voteRoundSchema = z.object({
  id: z.string().min(1).max(100),
  storyId: z.string().min(1).max(100),
  sceneId: z.string().min(1).max(100).optional(),
  draftId: z.string().min(1).max(100),
  /** The story owner, whose pick breaks ties. */
  ownerId: z.string().min(1).max(100),
  /** How many variants the draft has; votes name one of 0..variants-1. */
  variants: z.number().int().min(1).max(16),
  rules: votingRulesSchema,
  openedAt: z.number().int().nonnegative(),
  votes: z.array(voteSchema),
  closed: z
    .object({ at: z.number().int().nonnegative(), reason: closeReasonSchema, winner: z.number().int().nonnegative().nullable() })
    .optional(),
});
export type VoteRound = z.infer<typeof voteRoundSchema>;

export type CastResult = { ok: true; round: VoteRound } | { ok: false; reason: 'closed' | 'no-such-variant' };

export interface VariantTally {
  variant: number;
  votes: number;
  /** castAt of the earliest standing vote for it; Infinity when it has none. */
  firstVoteAt: number;
  ownerPick: boolean;
}

/** Starts a round with no votes. */
export function openVoteRound(params: Omit<VoteRound, 'votes' | 'closed'>): VoteRound {
  return { ...params, votes: [] };
}

/** When the round closes whatever the count (ms since the epoch). */
export function deadlineOf(round: Pick<VoteRound, 'openedAt' | 'rules'>): number {
  return round.openedAt + round.rules.deadlineMinutes * 60_000;
}

/** Records a vote, replacing the member's earlier one. Returns a new round; the input is unchanged. */
export function castVote(round: VoteRound, vote: Vote): CastResult {
  if (round.closed || vote.castAt >= deadlineOf(round)) return { ok: false, reason: 'closed' };
  if (!Number.isInteger(vote.variant) || vote.variant < 0 || vote.variant >= round.variants) {
    return { ok: false, reason: 'no-such-variant' };
  }
  const earlier = round.votes.find((v) => v.memberId === vote.memberId);
  // Discord can deliver two clicks out of order; the one cast last is what the member meant.
  if (earlier && earlier.castAt > vote.castAt) return { ok: true, round };
  const votes = round.votes.filter((v) => v.memberId !== vote.memberId);
  votes.push({ ...vote });
  return { ok: true, round: { ...round, votes } };
}

/** Votes per variant, every variant listed (0..variants-1), in variant order. */
export function tally(round: VoteRound): VariantTally[] {
  const rows: VariantTally[] = [];
  for (let variant = 0; variant < round.variants; variant++) {
    rows.push({ variant, votes: 0, firstVoteAt: Infinity, ownerPick: false });
  }
  for (const vote of round.votes) {
    const row = rows[vote.variant];
    if (!row) continue;
    row.votes += 1;
    row.firstVoteAt = Math.min(row.firstVoteAt, vote.castAt);
    if (vote.memberId === round.ownerId) row.ownerPick = true;
  }
  return rows;
}

/** Why the round should close now, or undefined while it stays open. */
export function closingReason(round: VoteRound, now: number): CloseReason | undefined {
  return closingReasonAt(round, new Set(round.votes.map((v) => v.memberId)).size, now);
}

/**
 * closingReason from the number of distinct voters alone, so a store can decide without reading
 * every ballot (each vote would otherwise cost more the bigger the round).
 */
export function closingReasonAt(round: Pick<VoteRound, 'closed' | 'openedAt' | 'rules'>, voters: number, now: number): CloseReason | undefined {
  if (round.closed) return round.closed.reason;
  if (voters >= round.rules.quorum) return 'quorum';
  if (now >= deadlineOf(round)) return 'deadline';
  return undefined;
}

/** The winning variant under the tie rules, or null when nobody voted. */
export function pickWinner(round: VoteRound): number | null {
  const rows = tally(round);
  const top = Math.max(...rows.map((r) => r.votes));
  if (top === 0) return null;
  const tied = rows.filter((r) => r.votes === top);
  const owners = tied.find((r) => r.ownerPick);
  if (owners) return owners.variant;
  tied.sort((a, b) => a.firstVoteAt - b.firstVoteAt || a.variant - b.variant);
  return tied[0]!.variant;
}

/**
 * Closes the round with its winner. `reason` defaults to what closingReason says, else 'owner'
 * (an explicit close). A round already closed is returned unchanged: the first close stands.
 */
export function closeVoteRound(round: VoteRound, now: number, reason?: CloseReason): VoteRound {
  if (round.closed) return round;
  const why = reason ?? closingReason(round, now) ?? 'owner';
  return { ...round, closed: { at: now, reason: why, winner: pickWinner(round) } };
}
