// The bot plans passages in its planner thread, not on its event loop: a planner thread that dies on a
// passage gets the group one friendly sentence, and the next passage still plans (on a fresh thread).
import { afterEach, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;
const PASSAGE = 'A hungry Fox saw some fine bunches of Grapes hanging from a vine in the garden. She jumped and jumped, but could not reach them.';

describe('the planner thread under the bot', () => {
  it('answers a crash with one sentence and plans the next passage', async () => {
    bed = await createBotBed({}, undefined, { plannerThreadEntry: new URL('./planner/misbehaving-planner-thread.ts', import.meta.url) });
    const { discord } = bed;
    const alice = discord.user('alice');
    const started = discord.invokeSlash(alice, discord.channelId('general'), 'story', { title: 'The Fox', style: 'watercolour' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 20_000);
    const thread = discord.threads()[0]!;

    const crashed = discord.postMessage(alice, thread.id, { content: `${PASSAGE} CRASH-THE-THREAD` });
    const sorry = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === crashed.id, 60_000);
    expect(sorry.content).toBe('⚠️ The story planner stopped while reading that passage; please try again, or rephrase the passage.');

    const illustrate = discord.invokeSlash(alice, thread.id, 'illustrate', { passage: `${PASSAGE} CRASH-THE-THREAD` });
    const privately = await illustrate.waitForFollowUp((m) => /story planner stopped/.test(m.content), 60_000);
    expect(privately.flags! & EPHEMERAL).toBe(EPHEMERAL);

    const next = discord.postMessage(alice, thread.id, { content: PASSAGE });
    const planned = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === next.id, 60_000);
    expect(planned.content).toMatch(/^🗺️ 1 scene planned by the offline planner/);
    expect(bed.bot.ctx.planner).toMatchObject({ restarts: 2 });
    expect(discord.errors).toEqual([]);
  }, 300_000); // three planner threads start on a loaded 2-core machine
});
