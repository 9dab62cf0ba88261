// The whole story loop with the real discord.js client against the fake Discord, real Redis and a real
// render worker on the toy model: /story new -> /illustrate -> draft posted (PNG grid of the right size)
// -> votes -> panel announced -> reply with a mask -> refined draft as a reply -> /storyboard.
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed;
beforeAll(async () => {
  bed = await createBotBed();
  await bed.spawnWorker('toy');
}, 90_000);
afterAll(async () => bed?.cleanup());

const hasImage = (m: APIMessage) => (m.embeds?.[0]?.image?.url ?? '') !== '' && m.attachments.length > 0;

describe('story loop', () => {
  it('goes from /story new to /storyboard', async () => {
    const { discord } = bed;
    const alice = discord.user('alice'), bob = discord.user('bob'), carol = discord.user('carol');
    const general = discord.channelId('general');

    const settings = discord.invokeSlash(alice, general, 'settings', { quorum: 2 });
    expect((await settings.callback()).elapsedMs).toBeLessThan(3000);
    await settings.waitForOriginal((m) => /votes close at 2 voters/.test(m.content));

    const started = discord.invokeSlash(alice, general, 'story', { title: 'The Fox', style: 'watercolour, storybook' }, 'new');
    const ack = await started.callback();
    expect(ack.type).toBe(5);
    expect(ack.elapsedMs).toBeLessThan(3000);
    await started.waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;
    expect(thread.name).toBe('The Fox');
    expect(discord.pins(thread.id)[0]?.embeds?.[0]?.title).toContain('The Fox');

    const illustrate = discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The fox leapt at the grapes in the old vineyard.' });
    expect((await illustrate.callback()).elapsedMs).toBeLessThan(3000);
    await illustrate.waitForOriginal((m) => /1 scene planned by the offline planner/.test(m.content), 15_000);
    const draft = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && hasImage(m), 60_000);
    const grid = await sharp(discord.file(draft.attachments[0]!)).metadata();
    expect([grid.format, grid.width, grid.height]).toEqual(['png', 132, 132]);
    expect(draft.components?.length).toBe(3);
    await discord.waitForMessage(thread.id, (m) => m.content.startsWith(`<@${alice.id}>`) && m.message_reference?.message_id === draft.id);
    await discord.waitFor((c) => c.method === 'PUT' && c.path.includes(encodeURIComponent('4️⃣')));

    discord.react(bob, draft, '2️⃣');
    discord.react(carol, draft, '2️⃣');
    const panel = await discord.waitForMessage(thread.id, (m) => /panel: picture 2/.test(m.embeds?.[0]?.title ?? ''), 15_000);
    expect((await sharp(discord.file(panel.attachments[0]!)).metadata()).width).toBe(64);

    const mask = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000' } })
      .composite([{ input: await sharp({ create: { width: 32, height: 32, channels: 3, background: '#fff' } }).png().toBuffer(), left: 0, top: 0 }])
      .png().toBuffer();
    const reply = discord.postMessage(alice, thread.id, { content: 'more: grapes\nno: text', attachments: [{ name: 'mask.png', data: mask, contentType: 'image/png' }], replyTo: draft });
    const refined = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === reply.id && hasImage(m), 60_000);
    const refinedPng = await sharp(discord.file(refined.attachments[0]!)).metadata();
    expect([refinedPng.width, refinedPng.height]).toEqual([64, 64]);
    expect(refined.embeds?.[0]?.title).toContain('Refinement of picture 2');

    const board = discord.invokeSlash(alice, thread.id, 'storyboard');
    expect((await board.callback()).elapsedMs).toBeLessThan(3000);
    const sheet = await board.waitForOriginal((m) => m.attachments.length > 0, 15_000);
    expect(sheet.attachments[0]!.filename).toBe('storyboard.png');

    // A plain message in the story thread is a passage too (the bot may read messages here).
    const passage = discord.postMessage(bob, thread.id, { content: 'Then the fox walked away through the tall grass at dusk.' });
    await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === passage.id && /planned by the offline planner/.test(m.content), 15_000);
    await discord.waitForMessage(thread.id, (m) => m.id !== draft.id && m.author.id === discord.bot.id && /Scene 2/.test(m.embeds?.[0]?.title ?? '') && hasImage(m), 60_000);
    expect(discord.errors).toEqual([]);
  }, 180_000);
});
