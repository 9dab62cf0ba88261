// A media result delivered twice (ResultDelivery delivers again when its bot was killed
// mid-delivery) posts its file, or its failure sentence, once: against the fake Discord and real
// Redis, with no worker (the outcomes are handed to the bot's deliver directly). Drafts: see
// test/discord-budget-ledger.test.ts (a repeat edits the same message and does not ping again).
import { afterEach, describe, expect, it } from 'vitest';
import { deliverOutcome } from '../src/discord/deliver-outcome.js';
import type { RenderOutcome } from '../src/queue/index.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

describe('repeat deliveries', () => {
  it('posts a media file and a media failure once each however often they are delivered', async () => {
    bed = await createBotBed();
    const { discord } = bed;
    const ctx = bed.bot.ctx;
    const channelId = discord.channelId('general');
    const alice = discord.user('alice');
    const data = { userId: alice.id, channel: { channelId } };
    const key = await ctx.blobs.put(Buffer.from('GIF89a not really a gif'), 'gif');
    const done: RenderOutcome = { jobId: 'media-1', name: 'animate', data, state: 'completed', result: { keys: [key] } };
    const failed: RenderOutcome = { jobId: 'media-2', name: 'animate', data, state: 'failed', reason: 'The clip is too long.', attemptsMade: 1 };
    for (let i = 0; i < 2; i++) {
      await deliverOutcome(ctx, done);
      await deliverOutcome(ctx, failed);
    }
    const posted = discord.messages(channelId).filter((m) => m.content.startsWith(`<@${alice.id}>`));
    expect(posted.map((m) => m.content.replace(/:.*/, ''))).toEqual([`<@${alice.id}> here is your animation.`, `<@${alice.id}> your animation could not be made`]);
    expect(posted[0]!.attachments).toHaveLength(1);
  }, 60_000);
});
