// The bad-input corpus against the real bot on the loopback Discord and real Redis: every generated
// bad picture (replied to a draft as a mask), passage (/illustrate), prompt (/draw) and forged Refine
// form id gets one clear sentence back, nothing is created for what was refused, and the bot keeps
// working afterwards. Prints how many cases were tried, how many crashed (0) and what a
// decompression bomb costs now (refused by its header) against decoding it.
import type { APIMessage } from 'discord.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { pictureCases, pngBomb, type PictureCase } from './bad-input/picture-cases.js';
import { forgedModalIds, passageCases, promptCases, type TextCase } from './bad-input/text-cases.js';
import type { InteractionHandle } from './fake-discord/index.js';

let bed: BotBed;
const tried: Record<string, number> = {};
beforeAll(async () => {
  bed = await createBotBed({ QUEUE_MAX_WAITING_PER_USER: '1000', QUEUE_MAX_WAITING_PER_STORY: '1000' }, [
    { name: 'Story Club', channels: ['general'], users: ['alice', 'bob'] },
    { name: 'Elsewhere', channels: ['lobby'], users: ['mallory'] },
  ], { attachmentSizeLimit: 100 * 1024 * 1024 });
  await bed.spawnWorker('step', { STEP_MS: '1' });
}, 60_000);
afterAll(async () => {
  const total = Object.values(tried).reduce((a, n) => a + n, 0);
  console.log(`bad-input corpus (Discord): ${total} cases tried (${Object.entries(tried).map(([k, n]) => `${k} ${n}`).join(', ')}); crashes ${bed.discord.errors.length}`);
  await bed?.cleanup();
});

const EPHEMERAL = 64;
const isDraft = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const draftIdOf = (m: APIMessage) => (m.components as { components: { custom_id: string }[] }[])[0]!.components[0]!.custom_id.split(':')[2]!;

/** The first answer of an interaction with text: its edited original or a follow-up. */
function answer(handle: InteractionHandle, name: string): Promise<APIMessage> {
  const said = (m: APIMessage) => m.content.length > 0;
  return Promise.any([handle.waitForOriginal(said, 30_000), handle.waitForFollowUp(said, 30_000)]).catch(() => {
    throw new Error(`${name}: no answer within 30 s`);
  });
}

function expectAnswer(c: TextCase | PictureCase, reply: APIMessage, accepted: RegExp): void {
  if (c.expect === 'accepted') {
    expect.soft(reply.content, c.name).toMatch(accepted);
  } else if (c.expect === 'either') {
    if (!reply.content.startsWith('⚠️')) expect.soft(reply.content, c.name).toMatch(accepted);
    else expect.soft(reply.content, c.name).toMatch(/^⚠️ "mask\.\w+" (is not a PNG|could not be read)|^⚠️ That picture is damaged|^⚠️ The picture marks nothing/);
  } else {
    expect.soft(reply.content, c.name).toMatch(/^⚠️ [A-Z"“]/);
    expect.soft(reply.content, c.name).toMatch(c.expect.refusal);
    expect.soft(reply.content.split('\n'), c.name).toHaveLength(1);
    expect.soft(reply.content, c.name).not.toMatch(/Error|at .*\.ts:\d+|ECONN|vips|sharp|zod/);
  }
}

async function drawAndWait(user: string, channel: string): Promise<APIMessage> {
  const { discord } = bed;
  const handle = discord.invokeSlash(discord.user(user), discord.channelId(channel), 'draw', { prompt: 'a lighthouse at dusk' });
  await handle.callback();
  const original = await handle.waitForOriginal((m) => m.content.length > 0);
  return discord.waitForMessage(discord.channelId(channel), (m) => m.id === original.id && isDraft(m), 30_000);
}

describe('bad input through Discord', () => {
  it('answers every bad picture replied to a draft in one sentence, and queues the good ones', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const draft = await drawAndWait('alice', 'general');
    const cases = await pictureCases();
    cases.push({ name: '50-MB-file', file: 'huge.png', contentType: 'image/png', data: Buffer.alloc(50 * 1024 * 1024, 7), expect: { refusal: /is 50 MB; attachments can be at most 10 MB/ } });
    let refinements = 0;
    for (const c of cases) {
      const posted = discord.postMessage(alice, general, { attachments: [{ name: c.file, data: c.data, contentType: c.contentType }], replyTo: draft });
      const started = Date.now();
      const reply = await discord.waitForMessage(general, (m) => m.author.id === discord.bot.id && m.message_reference?.message_id === posted.id, 20_000);
      if (c.name.startsWith('bomb')) console.log(`${c.name} (${(c.data.length / 1024).toFixed(0)} KB) answered in ${Date.now() - started} ms: ${reply.content}`);
      expectAnswer(c, reply, /Refinement of (variant|picture)/);
      if (!reply.content.startsWith('⚠️')) refinements += 1;
    }
    tried.pictures = cases.length;
    // Nothing was queued for a refused picture: the refine jobs in Redis are the accepted ones.
    // (The step worker cannot render refinements: it fails them, which is when they are counted.)
    const refineJobs = async () => (await bed.bot.ctx.queue.queue.getJobs(['completed', 'failed'])).filter((j) => j?.name === 'refine').length;
    for (let i = 0; i < 100 && (await refineJobs()) < refinements; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await refineJobs()).toBe(refinements);
    expect(refinements).toBeGreaterThanOrEqual(cases.filter((c) => c.expect === 'accepted').length);
    expect(discord.errors).toEqual([]);
  }, 300_000);

  it('answers bad passages in a story thread, and plans the odd but harmless ones', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const started = discord.invokeSlash(alice, discord.channelId('general'), 'story', { title: 'Corpus', style: 'ink' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 20_000);
    const thread = discord.threads().find((t) => t.name === 'Corpus')!;
    const cases = passageCases();
    for (const c of cases) {
      const reply = await answer(discord.invokeSlash(alice, thread.id, 'illustrate', { passage: c.text }), c.name);
      expectAnswer(c, reply, /^🗺️ \d scenes? planned by the offline planner/);
      if (c.expect !== 'accepted') expect(reply.flags! & EPHEMERAL, c.name).toBe(EPHEMERAL);
    }
    tried.passages = cases.length;
    expect(discord.errors).toEqual([]);
  }, 300_000);

  it('answers malformed and oversized prompts, and draws the odd but harmless ones', async () => {
    const { discord } = bed;
    const bob = discord.user('bob');
    const cases = promptCases();
    for (const c of cases) {
      const reply = await answer(discord.invokeSlash(bob, discord.channelId('general'), 'draw', { prompt: c.text }), c.name);
      expectAnswer(c, reply, /^🎨 \*\*Drawing\*\*/);
    }
    tried.prompts = cases.length;
    expect(discord.errors).toEqual([]);
  }, 300_000);

  it('refuses forged Refine form ids (another server\'s draft, no draft, garbage) without revealing anything', async () => {
    const { discord } = bed;
    const elsewhere = await drawAndWait('mallory', 'lobby');
    const cases = forgedModalIds({ otherGuild: draftIdOf(elsewhere), missing: 'nosuchdraft123' });
    for (const c of cases) {
      const reply = await answer(discord.submitModal(discord.user('alice'), c.text, { variant: '1', instructions: 'add: a kite' }, { channelId: discord.channelId('general') }), c.name);
      expectAnswer(c, reply, /./);
      expect(reply.flags! & EPHEMERAL, c.name).toBe(EPHEMERAL);
    }
    tried['forged ids'] = cases.length;
    // Mallory's draft got no refinement from the other server.
    expect(discord.messages(discord.channelId('lobby')).filter((m) => /Refinement/.test(m.content))).toEqual([]);
  }, 120_000);

  it('still draws normally after all of that', async () => {
    const draft = await drawAndWait('alice', 'general');
    expect(isDraft(draft)).toBe(true);
    expect(bed.discord.errors).toEqual([]);
  }, 60_000);
});

describe('decompression bomb cost', () => {
  it('is refused by its header in milliseconds where decoding it costs seconds and memory', async () => {
    const { inspectPicture } = await import('../src/media/picture-check.js');
    const bomb = pngBomb(15000, 15000);
    let t = performance.now();
    await expect(inspectPicture(bomb, 'bomb.png', { still: true })).rejects.toThrow(/is 15000x15000 pixels/);
    const refuseMs = performance.now() - t;
    const rss = process.memoryUsage().rss;
    t = performance.now();
    // What the bot did before: decode and resize it to the draft's size.
    await sharp(bomb, { limitInputPixels: false }).removeAlpha().resize(64, 64, { fit: 'fill' }).raw().toBuffer();
    const decodeMs = performance.now() - t;
    console.log(`15000x15000 PNG bomb (${(bomb.length / 1024).toFixed(0)} KB): refused from its header in ${refuseMs.toFixed(1)} ms; decoding it took ${decodeMs.toFixed(0)} ms and ~${((process.memoryUsage().rss - rss) / 1e6).toFixed(0)} MB more RSS`);
  }, 60_000);
});
