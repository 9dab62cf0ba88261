// Votes with the real discord.js client against the fake Discord, real Redis and the cheap step
// worker: removing a reaction withdraws the vote, moving a vote takes the old reaction off (the bot
// has Manage Messages in the fake), the deadline is stored and re-armed by a restarted bot, and
// reactions made or removed while the bot was down are counted or withdrawn when it comes back.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { VoteRound } from '../src/core/story/votes.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { until } from './support/until.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;


/** A story (quorum 3, deadline 1 min) with one scene draft rendered and its vote open. */
async function openVote(b: BotBed): Promise<{ draft: APIMessage; round: () => Promise<VoteRound> }> {
  const { discord } = b;
  const alice = discord.user('alice');
  const general = discord.channelId('general');
  await discord.invokeSlash(alice, general, 'settings', { quorum: 3, deadline: 1 }).waitForOriginal((m) => /votes close at 3 voters/.test(m.content));
  await discord.invokeSlash(alice, general, 'story', { title: 'The Owl', style: 'ink' }, 'new').waitForOriginal((m) => /has begun/.test(m.content), 10_000);
  const thread = discord.threads()[0]!;
  await discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The owl watched the moon over the barn.' }).waitForOriginal((m) => /planned/.test(m.content), 15_000);
  const draft = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && hasImage(m), 30_000);
  await discord.waitFor((c) => c.method === 'PUT' && c.path.includes(encodeURIComponent('4️⃣')));
  const draftId = (await b.bot.ctx.drafts.locations.draftOfMessage(draft.id))!;
  return { draft, round: async () => (await b.bot.ctx.stories.getVoteRound(draftId))! };
}

const ballot = (round: VoteRound, memberId: string) => round.votes.find((v) => v.memberId === memberId);

describe('votes', () => {
  it('withdraws a vote when its reaction is removed and takes a replaced vote\'s reaction off', async () => {
    bed = await createBotBed();
    await bed.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = bed;
    const bob = discord.user('bob'), carol = discord.user('carol');
    const { draft, round } = await openVote(bed);

    discord.react(bob, draft, '2️⃣');
    await until('bob\'s vote', async () => ballot(await round(), bob.id)?.variant === 1);
    discord.unreact(bob, draft, '2️⃣');
    await until('bob\'s vote to go', async () => !ballot(await round(), bob.id));

    discord.react(carol, draft, '2️⃣');
    await until('carol\'s first vote', async () => ballot(await round(), carol.id)?.variant === 1);
    discord.react(carol, draft, '3️⃣');
    await until('carol\'s new vote', async () => ballot(await round(), carol.id)?.variant === 2);
    // The bot removes her 2️⃣ (DELETE .../reactions/2️⃣/<carol>); that removal must not withdraw her 3️⃣.
    await discord.waitFor((c) => c.method === 'DELETE' && c.path.endsWith(`/reactions/${encodeURIComponent('2️⃣')}/${carol.id}`));
    const reactions = discord.reactions(draft);
    expect(reactions.find((r) => r.emoji === '2️⃣')?.userIds ?? []).not.toContain(carol.id);
    expect(reactions.find((r) => r.emoji === '3️⃣')?.userIds).toContain(carol.id);
    await new Promise((r) => setTimeout(r, 300));
    const now = await round();
    expect(now.votes.map((v) => [v.memberId, v.variant])).toEqual([[carol.id, 2]]);
    expect(now.closed).toBeUndefined();
    expect(discord.errors).toEqual([]);
  }, 90_000);

  it('re-syncs reactions made while the bot was down and closes at the stored deadline after a restart', async () => {
    bed = await createBotBed();
    await bed.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = bed;
    const bob = discord.user('bob'), carol = discord.user('carol');
    const { draft, round } = await openVote(bed);
    const opened = await round();
    const deadline = opened.openedAt + 60_000;
    expect(Number(await bed.redis.zscore(`${bed.bot.ctx.keyPrefix}open-rounds`, opened.id))).toBe(deadline);

    const alice = discord.user('alice');
    discord.react(bob, draft, '1️⃣');
    await until('bob\'s vote', async () => ballot(await round(), bob.id)?.variant === 0);
    discord.react(alice, draft, '4️⃣');
    await until('alice\'s vote', async () => ballot(await round(), alice.id)?.variant === 3);

    await bed.stopBot();
    discord.react(carol, draft, '3️⃣'); // nobody is listening
    discord.unreact(alice, draft, '4️⃣'); // the owner takes her vote back while the bot is away
    // Come back 2 s before the deadline: the re-armed timer, not the start-up check, must close it.
    bed.setBotClockOffset(deadline - 2000 - Date.now());
    await bed.startBot();
    const resynced = await round();
    expect(resynced.closed).toBeUndefined();
    expect(ballot(resynced, carol.id)?.variant).toBe(2);
    expect(ballot(resynced, alice.id)).toBeUndefined();

    const thread = discord.threads()[0]!;
    const panel = await discord.waitForMessage(thread.id, (m) => /panel: picture/.test(m.embeds?.[0]?.title ?? ''), 10_000);
    // 1 vote each and the owner's pick withdrawn: the earliest vote (bob's 1️⃣) wins the tie.
    expect(panel.embeds?.[0]?.title).toContain('picture 1');
    expect(panel.embeds?.[0]?.description).toContain('Chosen by 1 vote when the time for voting ran out.');
    const closed = await round();
    expect(closed.closed?.reason).toBe('deadline');
    expect(closed.votes).toHaveLength(2);
    expect(await bed.redis.zscore(`${bed.bot.ctx.keyPrefix}open-rounds`, opened.id)).toBeNull();
    expect(discord.errors).toEqual([]);
  }, 90_000);
});
