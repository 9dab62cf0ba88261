// Failure paths of the bot against the fake Discord and real Redis: queue full, a bad attachment, a
// file too large, an unknown /refine region, a Cancel button clicked after a bot restart, and every
// interaction acknowledged within 3 s — each answered with one short ephemeral sentence.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;
/** custom_id of the first button of a message (the Cancel button of a queued draft). */
const cancelId = (m: APIMessage) => (m.components![0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;

describe('bot failures', () => {
  it('refuses a second /draw when the user queue is full, ephemerally and quickly', async () => {
    bed = await createBotBed({ QUEUE_MAX_WAITING_PER_USER: '1' });
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const first = discord.invokeSlash(alice, general, 'draw', { prompt: 'a red kite' });
    expect((await first.callback()).elapsedMs).toBeLessThan(3000);
    await first.waitForOriginal((m) => /#1 in the queue/.test(m.content));
    const second = discord.invokeSlash(alice, general, 'draw', { prompt: 'a blue kite' });
    expect((await second.callback()).elapsedMs).toBeLessThan(3000);
    const refusal = await second.waitForFollowUp((m) => /already have 1 renders waiting/.test(m.content));
    expect(refusal.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers a passage in Chinese, planned offline, with one private sentence and queues nothing', async () => {
    bed = await createBotBed();
    const { discord } = bed;
    const alice = discord.user('alice');
    const started = discord.invokeSlash(alice, discord.channelId('general'), 'story', { title: '守株待兔', style: 'ink wash' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;
    const passage = '从前，宋国有一个农夫。一天，他正在田里干活，忽然一只兔子撞在树桩上死了。';
    const illustrate = discord.invokeSlash(alice, thread.id, 'illustrate', { passage });
    expect((await illustrate.callback()).elapsedMs).toBeLessThan(3000);
    const answer = await illustrate.waitForFollowUp((m) => /offline planner reads English only/.test(m.content), 15_000);
    expect(answer.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.content).toMatch(/^⚠️ This passage looks like it is written in Chinese, .*OPENAI_BASE_URL or OPENAI_API_KEY/);
    // The same passage as a plain message in the thread gets the sentence as a reply.
    const message = discord.postMessage(alice, thread.id, { content: passage });
    const reply = await discord.waitForMessage(thread.id, (m) => m.message_reference?.message_id === message.id, 15_000);
    expect(reply.content).toMatch(/offline planner reads English only/);
    const fromBot = discord.messages(thread.id).filter((m) => m.author.id === discord.bot.id);
    expect(fromBot.some((m) => /planned|in the queue/.test(m.content) || m.attachments.length > 0 || /Scene/.test(m.embeds?.[0]?.title ?? ''))).toBe(false);
    expect(discord.errors).toEqual([]);
  });

  it('keeps a Cancel button working after a restart', async () => {
    bed = await createBotBed();
    const { discord } = bed;
    const alice = discord.user('alice');
    const draw = discord.invokeSlash(alice, discord.channelId('general'), 'draw', { prompt: 'a lighthouse' });
    const queued = await draw.waitForOriginal((m) => /in the queue/.test(m.content));
    await bed.restartBot();
    const cancel = discord.clickButton(alice, queued, cancelId(queued));
    expect((await cancel.callback()).elapsedMs).toBeLessThan(3000);
    await cancel.waitForOriginal((m) => /Cancelled before it started/.test(m.content));
    expect(discord.message(queued.id)!.content).toMatch(/^🚫 Cancelled/);
  });

  it('explains a bad attachment, a too-large file and an unknown region', async () => {
    bed = await createBotBed({ UPLOAD_LIMIT_BYTES: '4096' });
    await bed.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const draw = discord.invokeSlash(alice, general, 'draw', { prompt: 'a castle' });
    await draw.callback();
    const draft = await discord.waitForMessage(general, (m) => m.author.id === discord.bot.id && hasImage(m), 20_000);

    const text = discord.postMessage(alice, general, { attachments: [{ name: 'notes.txt', data: Buffer.from('hello'), contentType: 'text/plain' }], replyTo: draft });
    await discord.waitForMessage(general, (m) => m.message_reference?.message_id === text.id && /not a PNG, JPEG or WebP/.test(m.content));

    const noisy = await sharp(randomBytes(64 * 64 * 3), { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    expect(noisy.length).toBeGreaterThan(4096);
    const big = discord.postMessage(alice, general, { attachments: [{ name: 'mask.png', data: noisy, contentType: 'image/png' }], replyTo: draft });
    await discord.waitForMessage(general, (m) => m.message_reference?.message_id === big.id && /KB; attachments can be at most 4 KB, so send a smaller file\./.test(m.content));

    const region = discord.postMessage(alice, general, { content: 'region: somewhere nice', replyTo: draft });
    await discord.waitForMessage(general, (m) => m.message_reference?.message_id === region.id && /not a region I know/.test(m.content));

    const menu = discord.invokeMessageContextMenu(alice, draft, 'Refine draft');
    expect((await menu.callback()).type).toBe(9);
    const submit = discord.submitModal(alice, (menu.modal() as { custom_id: string }).custom_id, { variant: '3', instructions: 'add: a dragon\nregion: top left' });
    await submit.waitForOriginal((m) => /refinement is queued/.test(m.content));
    expect(discord.errors).toEqual([]);
  });
});
