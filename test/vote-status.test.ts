// The cheap reads a vote needs in a big round: one member's ballot, and the number of voters with the
// round's rules (for the quorum), without reading every ballot; and the core's rule on that count.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closingReason, closingReasonAt, openVoteRound } from '../src/core/story/votes.js';
import { connectForBot } from '../src/queue/index.js';
import { RedisStoryRepository } from '../src/store/story-repository.js';
import { deletePrefixKeys } from './support/redis-keys.js';

const T0 = 1_700_000_000_000;
let redis: Redis;
let repo: RedisStoryRepository;
const prefix = `tfvotes-${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  redis = await connectForBot(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  repo = new RedisStoryRepository(redis, `${prefix}:`);
});
afterAll(async () => {
  await deletePrefixKeys(prefix, redis);
  redis.disconnect();
});

describe('vote status without the ballots', () => {
  it('counts voters, finds one ballot, and agrees with the full round', async () => {
    const round = openVoteRound({ id: 'r1', storyId: 's1', draftId: 'd1', ownerId: 'owner', variants: 4, rules: { quorum: 3, deadlineMinutes: 10 }, openedAt: T0 });
    await repo.openVoteRound(round);
    expect(await repo.getVoteStatus('r1')).toEqual({ round: { ...round, votes: undefined }, voters: 0 });
    await repo.castVote('r1', { memberId: 'ann', variant: 0, castAt: T0 + 1 });
    await repo.castVote('r1', { memberId: 'ann', variant: 2, castAt: T0 + 3 });
    await repo.castVote('r1', { memberId: 'ann', variant: 1, castAt: T0 + 2 }); // cast earlier, arrived late: ignored
    await repo.castVote('r1', { memberId: 'bob', variant: 1, castAt: T0 + 4 });
    expect(await repo.getBallot('r1', 'ann')).toEqual({ memberId: 'ann', variant: 2, castAt: T0 + 3 });
    expect(await repo.getBallot('r1', 'nobody')).toBeUndefined();
    const status = (await repo.getVoteStatus('r1'))!;
    const full = (await repo.getVoteRound('r1'))!;
    expect(status.voters).toBe(2);
    expect(full.votes.map((v) => [v.memberId, v.variant])).toEqual([['ann', 2], ['bob', 1]]);
    expect(closingReasonAt(status.round, status.voters, T0 + 5)).toBe(closingReason(full, T0 + 5));
    expect(closingReasonAt(status.round, status.voters, T0 + 5)).toBeUndefined();
    expect(closingReasonAt(status.round, 3, T0 + 5)).toBe('quorum');
    expect(closingReasonAt(status.round, status.voters, T0 + 10 * 60_000)).toBe('deadline');

    await repo.closeVoteRound('r1', T0 + 6, 'owner');
    const closed = (await repo.getVoteStatus('r1'))!;
    expect(closed.round.closed).toMatchObject({ reason: 'owner', winner: 2 }); // a tie: the earliest standing vote wins
    expect(await repo.getVoteStatus('missing')).toBeUndefined();
  });
});
