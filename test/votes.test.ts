import { describe, expect, it } from 'vitest';
import {
  castVote,
  closeVoteRound,
  closingReason,
  openVoteRound,
  pickWinner,
  tally,
  voteRoundSchema,
  type VoteRound,
} from '../src/core/story/votes.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function round(quorum = 3, deadlineMinutes = 10, variants = 4): VoteRound {
  return openVoteRound({
    id: 'v1',
    storyId: 's1',
    sceneId: 'sc1',
    draftId: 'd1',
    ownerId: 'owner',
    variants,
    rules: { quorum, deadlineMinutes },
    openedAt: T0,
  });
}

function cast(r: VoteRound, memberId: string, variant: number, at: number): VoteRound {
  const result = castVote(r, { memberId, variant, castAt: at });
  if (!result.ok) throw new Error(`vote refused: ${result.reason}`);
  return result.round;
}

describe('votes', () => {
  it('counts one vote per member; a newer vote replaces the older', () => {
    let r = round();
    r = cast(r, 'ann', 0, T0 + 1);
    r = cast(r, 'bob', 1, T0 + 2);
    r = cast(r, 'ann', 1, T0 + 3);
    expect(r.votes).toHaveLength(2);
    expect(tally(r).find((t) => t.variant === 1)?.votes).toBe(2);
    expect(tally(r).find((t) => t.variant === 0)?.votes).toBe(0);
  });

  it('keeps the newer vote when an older one arrives late', () => {
    let r = round();
    r = cast(r, 'ann', 2, T0 + 50);
    r = cast(r, 'ann', 0, T0 + 10);
    expect(r.votes).toEqual([{ memberId: 'ann', variant: 2, castAt: T0 + 50 }]);
  });

  it('refuses a variant the draft does not have', () => {
    const result = castVote(round(3, 10, 4), { memberId: 'ann', variant: 4, castAt: T0 + 1 });
    expect(result).toEqual({ ok: false, reason: 'no-such-variant' });
  });

  it('closes at quorum of distinct voters', () => {
    let r = round(2);
    r = cast(r, 'ann', 1, T0 + 1);
    r = cast(r, 'ann', 2, T0 + 2);
    expect(closingReason(r, T0 + 3)).toBeUndefined();
    r = cast(r, 'bob', 2, T0 + 4);
    expect(closingReason(r, T0 + 5)).toBe('quorum');
    const closed = closeVoteRound(r, T0 + 5);
    expect(closed.closed).toEqual({ at: T0 + 5, reason: 'quorum', winner: 2 });
  });

  it('closes at the deadline with whatever votes there are', () => {
    let r = round(5, 10);
    r = cast(r, 'ann', 3, T0 + MIN);
    expect(closingReason(r, T0 + 10 * MIN - 1)).toBeUndefined();
    expect(closingReason(r, T0 + 10 * MIN)).toBe('deadline');
    expect(closeVoteRound(r, T0 + 10 * MIN).closed?.winner).toBe(3);
  });

  it('refuses votes after the deadline or once closed', () => {
    const r = round(5, 10);
    expect(castVote(r, { memberId: 'ann', variant: 0, castAt: T0 + 10 * MIN })).toEqual({ ok: false, reason: 'closed' });
    const closed = closeVoteRound(cast(r, 'bob', 1, T0 + 1), T0 + 2, 'owner');
    expect(castVote(closed, { memberId: 'ann', variant: 0, castAt: T0 + 3 })).toEqual({ ok: false, reason: 'closed' });
  });

  it('closing twice keeps the first result', () => {
    const r = closeVoteRound(cast(round(), 'ann', 1, T0 + 1), T0 + 2, 'owner');
    expect(closeVoteRound(r, T0 + 99, 'deadline').closed).toEqual(r.closed);
  });

  it('has no winner without votes', () => {
    expect(pickWinner(round())).toBeNull();
    expect(closeVoteRound(round(), T0 + 10 * MIN).closed).toEqual({ at: T0 + 10 * MIN, reason: 'deadline', winner: null });
  });

  it('breaks a tie with the story owner’s pick', () => {
    let r = round(9);
    r = cast(r, 'ann', 0, T0 + 1);
    r = cast(r, 'bob', 0, T0 + 2);
    r = cast(r, 'cat', 1, T0 + 3);
    r = cast(r, 'owner', 1, T0 + 4);
    expect(pickWinner(r)).toBe(1);
  });

  it('breaks a tie by the earliest vote when the owner did not pick a tied variant', () => {
    let r = round(9);
    r = cast(r, 'ann', 2, T0 + 5);
    r = cast(r, 'bob', 1, T0 + 3);
    r = cast(r, 'owner', 3, T0 + 1);
    r = cast(r, 'dan', 2, T0 + 6);
    r = cast(r, 'eve', 1, T0 + 7);
    // 1 and 2 have two votes each; the owner chose 3 (not tied); variant 1's first vote came first.
    expect(pickWinner(r)).toBe(1);
  });

  it('a changed vote counts from when it was changed', () => {
    let r = round(9);
    r = cast(r, 'ann', 0, T0 + 1);
    r = cast(r, 'bob', 1, T0 + 2);
    r = cast(r, 'ann', 2, T0 + 3); // ann moves away from 0: 1 (T0+2) vs 2 (T0+3)
    r = cast(r, 'cat', 0, T0 + 4);
    // all three have one vote; 1 was voted for earliest among current votes
    expect(pickWinner(r)).toBe(1);
  });

  it('round-trips through its zod schema', () => {
    const r = closeVoteRound(cast(round(1), 'ann', 1, T0 + 1), T0 + 2);
    expect(voteRoundSchema.parse(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });
});
