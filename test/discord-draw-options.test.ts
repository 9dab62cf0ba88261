// /draw reads Midjourney-style options inside the prompt: `--ar 2:1` draws a wide picture with the
// same pixel budget, `--no` becomes the negative prompt; the render is booked in the server's ledger.
import type { APIMessage } from 'discord.js';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;

describe('/draw options in the prompt', () => {
  it('--ar 2:1 gives a wide draft and --no fills the negative prompt', async () => {
    bed = await createBotBed({ RENDER_WIDTH: '128', RENDER_HEIGHT: '128' });
    await bed.spawnWorker('step', { STEP_MS: '10' });
    const { discord } = bed;
    const general = discord.channelId('general');
    const draw = discord.invokeSlash(discord.user('alice'), general, 'draw', { prompt: 'a kite over the sea --ar 2:1 --no birds' });
    await draw.callback();
    const done = await discord.waitForMessage(general, (m) => m.author.id === discord.bot.id && hasImage(m), 30_000);
    const grid = await sharp(discord.file(done.attachments[0]!)).metadata();
    // 128x128 = 16384 px at 2:1 -> 192x64 per variant (multiples of 64), four in a 2x2 grid.
    expect(grid.width! / grid.height!).toBeGreaterThan(2.5);
    expect(JSON.stringify(done.embeds)).toContain('birds');

    // Outside a story the render is booked in the server's ledger, which /budget shows there.
    const budget = discord.invokeSlash(discord.user('alice'), general, 'budget');
    const report = await budget.waitForOriginal((m) => /Drafts outside stories on this server/.test(m.content), 10_000);
    expect(report.content).toContain('Renders: **1**');
  });
});
