// The buttons under a finished draft, with the real toy-model worker: Reroll posts a new draft with a
// new seed, Pick outside a story hands the variant over, Animate posts an MP4 and its GIF preview.
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed;
beforeAll(async () => {
  bed = await createBotBed();
  await bed.spawnWorker('toy');
}, 60_000);
afterAll(async () => bed?.cleanup());

const EPHEMERAL = 64;
const isDraft = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const seedOf = (m: APIMessage) => m.embeds?.[0]?.fields?.find((f) => f.name === 'Seed')?.value;
const buttonId = (m: APIMessage, label: string) =>
  (m.components as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components).find((b) => b.label === label)!.custom_id;

describe('draft buttons', () => {
  it('Reroll, Pick and Animate do what they say', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    await discord.invokeSlash(alice, general, 'draw', { prompt: 'a paper boat on a pond' }).callback();
    const first = await discord.waitForMessage(general, (m) => m.author.id === discord.bot.id && isDraft(m), 60_000);

    const reroll = discord.clickButton(alice, first, buttonId(first, 'Reroll'));
    expect((await reroll.callback()).elapsedMs).toBeLessThan(3000);
    const second = await discord.waitForMessage(general, (m) => m.id !== first.id && m.author.id === discord.bot.id && isDraft(m), 60_000);
    expect(seedOf(second)).not.toBe(seedOf(first));

    const pick = discord.clickButton(alice, first, buttonId(first, 'Pick 2'));
    const picked = await Promise.any([pick.waitForOriginal((m) => /Variant 2 is yours/.test(m.content)), pick.waitForFollowUp((m) => /Variant 2 is yours/.test(m.content))]);
    expect(picked.flags! & EPHEMERAL).toBe(EPHEMERAL);

    const animate = discord.clickButton(alice, first, buttonId(first, 'Animate'));
    expect((await animate.callback()).elapsedMs).toBeLessThan(3000);
    const clip = await discord.waitForMessage(general, (m) => /here is your animation/.test(m.content), 90_000);
    const names = clip.attachments.map((a) => a.filename).sort();
    expect(names).toEqual(['animate.gif', 'animate.mp4']);
    const mp4 = discord.file(clip.attachments.find((a) => a.filename === 'animate.mp4')!)!;
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const gif = discord.file(clip.attachments.find((a) => a.filename === 'animate.gif')!)!;
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(discord.errors).toEqual([]);
  }, 150_000);
});
