// Pick and Upscale on a /draw drawing, with the real discord.js client against the loopback Discord,
// real Redis and the real toy-model worker: Pick posts the chosen picture full size as its own reply
// with its own buttons and credits who asked and who picked; Upscale doubles it, redrawn in tiles
// (UPSCALE_TILE_SIZE=64 on the 64x64 toy pictures), with the step budget and progress over all tiles;
// nobody is pinged twice.
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { TEST_OUTPUT } from './support/picture-checks.js';

let bed: BotBed;
beforeAll(async () => {
  bed = await createBotBed();
  await bed.spawnWorker('toy', { UPSCALE_TILE_SIZE: '64' });
}, 90_000);
afterAll(async () => bed?.cleanup());

const EPHEMERAL = 64;
const isPicture = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const buttons = (m: APIMessage) => (m.components as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components);
const buttonId = (m: APIMessage, label: string) => buttons(m).find((b) => b.label === label)!.custom_id;
const field = (m: APIMessage, name: string) => m.embeds?.[0]?.fields?.find((f) => f.name === name)?.value ?? '';
const answer = (h: { waitForOriginal: (p: (m: APIMessage) => boolean) => Promise<APIMessage> }, pattern: RegExp) => h.waitForOriginal((m) => pattern.test(m.content));

async function meanDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer()));
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

describe('pick and upscale', () => {
  it('posts a picked picture on its own, upscales it 2x in tiles, and pings each member once', async () => {
    const { discord } = bed;
    const alice = discord.user('alice'), bob = discord.user('bob'), carol = discord.user('carol');
    const general = discord.channelId('general');
    const draw = discord.invokeSlash(alice, general, 'draw', { prompt: 'a lighthouse at dusk' });
    const draft = await draw.waitForOriginal(isPicture, 60_000);

    const pick = discord.clickButton(bob, draft, buttonId(draft, 'Pick 2'));
    const picked = await discord.waitForMessage(general, (m) => m.message_reference?.message_id === draft.id && isPicture(m), 15_000);
    expect(picked.content).toContain(`asked for by <@${alice.id}>, picked by <@${bob.id}>`);
    expect(picked.embeds?.[0]?.title).toBe('Picture 2');
    expect(buttons(picked).map((b) => b.label)).toEqual(['Variations', 'Refine', 'Animate', 'Upscale 2x']);
    const record = (await bed.bot.ctx.stories.getDraft((await bed.bot.ctx.drafts.locations.draftOfMessage(draft.id))!))!;
    const variant2 = await bed.bot.ctx.blobs.get(record.blobKeys[1]!);
    const source = discord.file(picked.attachments[0]!)!;
    expect(source.equals(variant2)).toBe(true);
    const told = await answer(pick, /Picture 2 is posted full size: https:\/\//);
    expect(told.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const again = discord.clickButton(alice, draft, buttonId(draft, 'Pick 2'));
    await answer(again, /Picture 2 is already posted full size/);

    const upscale = discord.clickButton(carol, picked, buttonId(picked, 'Upscale 2x'));
    await answer(upscale, /Upscaling picture 1 to twice its size/);
    const big = await discord.waitForMessage(general, (m) => m.message_reference?.message_id === picked.id && isPicture(m), 90_000);
    const upscaled = discord.file(big.attachments[0]!)!;
    await mkdir(TEST_OUTPUT, { recursive: true });
    await writeFile(`${TEST_OUTPUT}/upscale-source.png`, source);
    await writeFile(`${TEST_OUTPUT}/upscaled.png`, upscaled);
    const meta = await sharp(upscaled).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]);
    expect(big.embeds?.[0]?.title).toBe('Upscale of picture 1');
    expect(field(big, 'Size')).toBe('128x128');
    expect(field(big, 'Steps')).toMatch(/^\d+ of \d+ steps/);
    expect(field(big, 'Notes')).toContain('Redrawn in 9 tiles.');
    expect(buttons(big).map((b) => b.label)).toContain('Upscale 2x');
    // Redrawn at low strength: close to the plain enlargement, yet not the same pixels.
    const enlarged = await sharp(source).resize(128, 128, { kernel: 'lanczos3' }).png().toBuffer();
    const difference = await meanDifference(upscaled, enlarged);
    expect(difference).toBeGreaterThan(0.5);
    expect(difference).toBeLessThan(40);

    // Progress counted steps over all nine tiles and left a preview of the picture so far.
    const upscaleId = (await bed.bot.ctx.drafts.locations.draftOfMessage(big.id))!;
    const progress = (await bed.bot.ctx.queue.queue.getJob(upscaleId))!.progress as { step: number; total: number; previewKey?: string };
    expect(progress.step).toBe(progress.total);
    expect(progress.total % 9).toBe(0);
    expect(progress.previewKey).toBeDefined();

    // Ping once: alice's /draw reply is her answer (no extra ping); carol's upscale replies to the picked picture, so she gets one.
    const pings = (user: { id: string }) => discord.messages(general).filter((m) => m.content.startsWith(`<@${user.id}> your`));
    expect(pings(alice)).toHaveLength(0);
    await discord.waitForMessage(general, (m) => m.content === `<@${carol.id}> your upscaled picture is ready.`);
    expect(pings(carol)).toHaveLength(1);
    expect(discord.errors).toEqual([]);
  }, 180_000);
});
