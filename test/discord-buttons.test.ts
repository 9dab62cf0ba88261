// The buttons under a finished draft, with the real toy-model worker: Reroll posts a new draft with a
// new seed, Pick outside a story posts the picture on its own, Animate posts an MP4 and its GIF preview;
// /stylize restyles an uploaded clip.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIMessage } from 'discord.js';
import { locateFfmpeg, probeMedia } from '../src/media/ffmpeg.js';
import { makeTestClip } from './support/media-fixtures.js';
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
    const picked = await Promise.any([pick.waitForOriginal((m) => /Picture 2 is posted full size/.test(m.content)), pick.waitForFollowUp((m) => /Picture 2 is posted full size/.test(m.content))]);
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

  it('/stylize restyles an uploaded clip and posts an MP4 that keeps its audio', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const dir = await mkdtemp(join(tmpdir(), 'taleframe-stylize-'));
    try {
      const tools = locateFfmpeg();
      const input = join(dir, 'walk.mp4');
      await makeTestClip(tools, input, { seconds: 1, fps: 8, width: 96, height: 64, audio: true });
      const video = { name: 'walk.mp4', data: await readFile(input), contentType: 'video/mp4' };
      const stylize = discord.invokeSlash(alice, general, 'stylize', { video, prompt: 'ink and wash' });
      expect((await stylize.callback()).elapsedMs).toBeLessThan(3000);
      const done = await discord.waitForMessage(general, (m) => /here is your stylized clip/.test(m.content), 90_000);
      const output = join(dir, 'out.mp4');
      await writeFile(output, discord.file(done.attachments[0]!)!);
      const probe = await probeMedia(tools, output);
      expect(probe.video).toMatchObject({ codec: 'h264' });
      expect(probe.hasAudio).toBe(true);

      const notVideo = discord.invokeSlash(alice, general, 'stylize', { video: { name: 'notes.txt', data: Buffer.from('hi'), contentType: 'text/plain' }, prompt: 'ink' });
      const refusal = await Promise.any([notVideo.waitForOriginal((m) => /not a video/.test(m.content)), notVideo.waitForFollowUp((m) => /not a video/.test(m.content))]);
      expect(refusal.flags! & EPHEMERAL).toBe(EPHEMERAL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
