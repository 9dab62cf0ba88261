// Start from a picture: `/draw image:` and `/illustrate image:` draw over an attached sketch (img2img)
// with the real discord.js client against the loopback Discord, real Redis and the real toy-model
// worker; bad attachments are refused privately with the same checks as refine masks.
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { TEST_OUTPUT } from './support/picture-checks.js';

let bed: BotBed;
beforeAll(async () => {
  // 128 px drafts, so a wide starting picture can make a wide draft (sizes snap to multiples of 64).
  bed = await createBotBed({ RENDER_WIDTH: '128', RENDER_HEIGHT: '128' });
  await bed.spawnWorker('toy');
}, 90_000);
afterAll(async () => bed?.cleanup());

const EPHEMERAL = 64;
const isPicture = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const field = (m: APIMessage, name: string) => m.embeds?.[0]?.fields?.find((f) => f.name === name)?.value ?? '';

/** A sketch: a white sheet with a black square in its top left quarter. */
async function sketch(width = 128, height = 128): Promise<Buffer> {
  const square = await sharp({ create: { width: width / 2, height: height / 2, channels: 3, background: '#000000' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite([{ input: square, left: 0, top: 0 }]).png().toBuffer();
}

/** Mean brightness of the top left quarter minus the rest's, over the four pictures of a draft. */
async function squareContrast(draft: APIMessage): Promise<number> {
  const record = (await bed.bot.ctx.stories.getDraft((await bed.bot.ctx.drafts.locations.draftOfMessage(draft.id))!))!;
  let total = 0;
  for (const key of record.blobKeys) {
    const { data, info } = await sharp(await bed.bot.ctx.blobs.get(key)).removeAlpha().greyscale().raw().toBuffer({ resolveWithObject: true });
    let inside = 0, outside = 0;
    for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) {
      if (x < info.width / 2 && y < info.height / 2) inside += data[y * info.width + x]!;
      else outside += data[y * info.width + x]!;
    }
    total += outside / (info.width * info.height * 0.75) - inside / (info.width * info.height * 0.25);
  }
  return total / record.blobKeys.length;
}

describe('start from a picture', () => {
  it('/draw and /illustrate draw over an attached sketch; bad attachments get a private reply', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const image = { name: 'sketch.png', data: await sketch(), contentType: 'image/png' };

    const plain = await discord.invokeSlash(alice, general, 'draw', { prompt: 'a cat on a roof', seed: 11 }).waitForOriginal(isPicture, 60_000);
    const drawn = await discord.invokeSlash(alice, general, 'draw', { prompt: 'a cat on a roof', seed: 11, image, strength: 0.5 }).waitForOriginal(isPicture, 60_000);
    expect(field(drawn, 'Started from')).toBe('an attached picture, 50% redrawn');
    await mkdir(TEST_OUTPUT, { recursive: true });
    await writeFile(`${TEST_OUTPUT}/start-picture-draft.png`, discord.file(drawn.attachments[0]!)!);
    // The sketch's dark square shows through in the drawn-over pictures, not in the same prompt and seed without it.
    const over = await squareContrast(drawn);
    expect(over).toBeGreaterThan(40);
    expect(over).toBeGreaterThan((await squareContrast(plain)) + 30);

    const wide = { name: 'wide.png', data: await sketch(256, 128), contentType: 'image/png' };
    const shaped = await discord.invokeSlash(alice, general, 'draw', { prompt: 'a long boat', image: wide }).waitForOriginal(isPicture, 60_000);
    expect(field(shaped, 'Started from')).toBe('an attached picture, 70% redrawn');
    const grid = await sharp(discord.file(shaped.attachments[0]!)!).metadata();
    expect([grid.width, grid.height]).toEqual([2 * 192 + 4, 2 * 64 + 4]);

    await discord.invokeSlash(alice, general, 'story', { title: 'Roofs', style: 'ink' }, 'new').waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;
    await discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The cat slept on the warm roof.', image, strength: 0.5 }).waitForOriginal((m) => /1 scene planned/.test(m.content), 15_000);
    const scene = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && isPicture(m), 60_000);
    expect(field(scene, 'Started from')).toBe('an attached picture, 50% redrawn');
    expect(await squareContrast(scene)).toBeGreaterThan(40);

    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ image: { name: 'notes.txt', data: Buffer.from('hello'), contentType: 'text/plain' } }, /"notes\.txt" is not a PNG, JPEG or WebP picture; attach a sketch or a photo to start from\./],
      [{ image: { name: 'broken.png', data: Buffer.from('not really a png'), contentType: 'image/png' } }, /"broken\.png" could not be read as a picture/],
      [{ image: { name: 'strip.png', data: await sharp({ create: { width: 5000, height: 8, channels: 3, background: '#fff' } }).png().toBuffer(), contentType: 'image/png' } }, /is 5000x8 pixels; send a picture at most 4096 pixels on a side/],
      [{ strength: 0.4 }, /The strength option goes with a picture/],
    ];
    for (const [options, said] of refusals) {
      const bad = discord.invokeSlash(alice, general, 'draw', { prompt: 'a cat', ...options });
      const reply = await bad.waitForFollowUp((m) => said.test(m.content), 10_000);
      expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
    }
    expect(discord.errors).toEqual([]);
  }, 240_000);
});
