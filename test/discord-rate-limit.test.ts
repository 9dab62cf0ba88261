// Per-member rate limits with the real bot on the loopback Discord: a member who acts too fast gets one
// private sentence saying when to try again (commands, buttons and passages alike), other members are
// not slowed, the bucket lives in Redis, and votes by reaction are never rate-limited.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { VOTE_EMOJIS } from '../src/discord/drafts/draft-view.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;
const TOO_FAST = /^⚠️ You're going a little fast — try again in \d+ seconds?\.$/;
const buttonId = (m: APIMessage, label: string) =>
  (m.components ?? []).flatMap((row) => (row as { components: { label?: string; custom_id?: string }[] }).components).find((c) => c.label === label)?.custom_id;

describe('per-member rate limits', () => {
  it('slows down one member with a friendly sentence and leaves the others and the votes alone', async () => {
    // 2 at once, then one a minute: nothing refills while the test runs.
    bed = await createBotBed({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '2' });
    await bed.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = bed;
    const alice = discord.user('alice');
    const bob = discord.user('bob');
    const general = discord.channelId('general');

    // Bob starts a story and writes a passage; its scene draft opens a vote.
    const started = discord.invokeSlash(bob, general, 'story', { title: 'The Kite', style: 'watercolour' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 30_000);
    const thread = discord.threads()[0]!;
    discord.postMessage(bob, thread.id, { content: 'A girl flew a red kite over the hill. The wind took it up above the trees.' });
    const draft = await discord.waitForMessage(thread.id, (m) =>
      m.author.id === discord.bot.id && discord.reactions(m).some((r) => r.emoji === VOTE_EMOJIS[0]), 120_000);

    // Alice: two commands go through, the third is refused privately.
    for (let i = 0; i < 2; i++) {
      const ok = discord.invokeSlash(alice, general, 'queue');
      expect(String((await ok.callback()).data?.content ?? '')).not.toMatch(/going a little fast/);
    }
    const third = discord.invokeSlash(alice, general, 'queue');
    const refused = await third.callback();
    expect(refused.type).toBe(4);
    expect(String(refused.data?.content)).toMatch(TOO_FAST);
    expect(Number(refused.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);

    // A button and a passage from her are refused the same way, and do nothing.
    const drafts = discord.messages(thread.id).filter((m) => m.author.id === discord.bot.id && m.attachments.length > 0).length;
    const reroll = discord.clickButton(alice, draft, buttonId(draft, 'Reroll')!);
    expect(String((await reroll.callback()).data?.content)).toMatch(TOO_FAST);
    const passage = discord.postMessage(alice, thread.id, { content: 'The kite came down in a field of sheep, and a lamb ran to it.' });
    const reply = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === passage.id, 30_000);
    expect(reply.content).toMatch(TOO_FAST);

    // Carol is not slowed by Alice (Bob spent his two on the story and its passage), and Alice's
    // vote by reaction still counts.
    const carols = discord.invokeSlash(discord.user('carol'), general, 'queue');
    expect(String((await carols.callback()).data?.content ?? '')).not.toMatch(/going a little fast/);
    expect(String((await discord.invokeSlash(bob, general, 'queue').callback()).data?.content)).toMatch(TOO_FAST);
    discord.react(alice, draft, VOTE_EMOJIS[1]!);
    const roundId = (await bed.bot.ctx.drafts.locations.draftOfMessage(draft.id))!;
    await expect.poll(async () => (await bed!.bot.ctx.stories.getVoteRound(roundId))?.votes.map((v) => [v.memberId, v.variant]), { timeout: 15_000 })
      .toEqual([[alice.id, 1]]);

    // The bucket is in Redis, with an expiry, under the bot's prefix.
    const key = `${bed.config.QUEUE_PREFIX}:discord:rate:${discord.guild().id}:${alice.id}`;
    expect(Number(await bed.redis.hget(key, 'tokens'))).toBeLessThan(1);
    expect(await bed.redis.pttl(key)).toBeGreaterThan(0);
    expect(discord.messages(thread.id).filter((m) => m.author.id === discord.bot.id && m.attachments.length > 0).length).toBe(drafts);
    expect(discord.errors).toEqual([]);
  }, 240_000);

  it('can be turned off', async () => {
    bed = await createBotBed({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST: '1' });
    const { discord } = bed;
    const alice = discord.user('alice');
    for (let i = 0; i < 4; i++) {
      const answer = await discord.invokeSlash(alice, discord.channelId('general'), 'queue').callback();
      expect(String(answer.data?.content ?? '')).not.toMatch(/going a little fast/);
    }
    expect(await bed.redis.keys(`${bed.config.QUEUE_PREFIX}:discord:rate:*`)).toEqual([]);
  });
});
