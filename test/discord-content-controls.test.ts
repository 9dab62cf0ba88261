// Content controls through the real bot on the loopback Discord: admins edit the server's blocklist
// with /settings (members cannot); blocked prompts, passages, styles and refinements are refused
// privately and nothing is queued; the built-in list applies outside age-restricted channels only;
// renders there get the default negative; the safety checker can be turned off only from an
// age-restricted channel, and only counts there.
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import type { InteractionHandle } from '../src/playground/discord-server/index.js';
import { DEFAULT_NEGATIVE } from '../src/core/content/content-policy.js';
import { readGuildSettings } from '../src/discord/stories/guild-settings.js';
import type { DraftPayload } from '../src/queue/index.js';

const EPHEMERAL = 64;
let bed: BotBed;

beforeAll(async () => {
  // gina owns the server (Manage Server); alice and bob are members. after-dark is age-restricted.
  bed = await createBotBed({}, { name: 'Story Club', channels: ['general', 'after-dark'], nsfwChannels: ['after-dark'], users: ['gina', 'alice', 'bob'] });
});
afterAll(async () => {
  await bed?.cleanup();
});

/** The bot's answer to an interaction, whether it replied, replied after deferring, or followed up. */
async function answer(handle: InteractionHandle, pattern: RegExp): Promise<APIMessage> {
  const waits = [handle.waitForOriginal((m) => pattern.test(m.content), 15_000), handle.waitForFollowUp((m) => pattern.test(m.content), 15_000)];
  for (const w of waits) w.catch(() => {}); // the path not taken times out later; that is expected
  return Promise.any(waits);
}

async function privateAnswer(handle: InteractionHandle, pattern: RegExp): Promise<APIMessage> {
  const message = await answer(handle, pattern);
  expect(message.flags! & EPHEMERAL, message.content).toBe(EPHEMERAL);
  return message;
}

/** Every render job the bot queued so far (no worker runs: they stay queued). */
async function jobs(): Promise<DraftPayload[]> {
  const all = await bed.bot.ctx.queue.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed']);
  return all.filter((j) => j !== undefined).map((j) => j.data as DraftPayload);
}

async function jobFor(prompt: string): Promise<DraftPayload> {
  for (let i = 0; i < 200; i++) {
    const found = (await jobs()).find((j) => j.prompt === prompt);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no job was queued for "${prompt}"`);
}

const settings = () => readGuildSettings(bed.redis, bed.bot.ctx.keyPrefix, bed.discord.guild().id);

describe('content controls on Discord', () => {
  it('lets admins add, list and remove blocked words, and refuses members', async () => {
    const { discord } = bed;
    const [gina, bob] = [discord.user('gina'), discord.user('bob')];
    const general = discord.channelId('general');
    const added = await privateAnswer(discord.invokeSlash(gina, general, 'settings', { 'blocklist-add': 'castle, dark   tower, moat' }), /Blocked words/);
    expect(added.content).toContain('Added "castle", "dark tower", "moat"');
    expect((await settings()).blocklist).toEqual(['castle', 'dark tower', 'moat']);

    const removed = await privateAnswer(discord.invokeSlash(gina, general, 'settings', { 'blocklist-remove': 'MOAT, drawbridge', 'blocklist-show': true }), /Blocked words/);
    expect(removed.content).toContain('Removed "moat"');
    expect(removed.content).toContain('"drawbridge" was not on the list.');
    expect(removed.content).toContain('The list: "castle", "dark tower"');

    await privateAnswer(discord.invokeSlash(bob, general, 'settings', { 'blocklist-add': 'fox' }), /Manage Server/);
    await privateAnswer(discord.invokeSlash(bob, general, 'settings', { 'blocklist-remove': 'castle' }), /Manage Server/);
    expect((await settings()).blocklist).toEqual(['castle', 'dark tower']);
  });

  it('refuses a blocked /draw privately and queues nothing, however the word is written', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    for (const channel of ['general', 'after-dark']) {
      const requests: Record<string, string>[] = [{ prompt: 'a C.A.S.T.L.E on a hill' }, { prompt: 'the dark\u200b   tower at dusk' }, { prompt: 'a fox', negative: 'ｃａｓｔｌｅ' }];
      for (const options of requests) {
        const refusal = await privateAnswer(discord.invokeSlash(alice, discord.channelId(channel), 'draw', options), /blocked/);
        expect(refusal.content).toMatch(/That prompt uses a word this server has blocked: "(castle|dark tower)"/);
      }
    }
    expect(await jobs()).toEqual([]);
  });

  it('refuses blocked story styles, descriptions, refinements and pasted passages without queueing', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    await privateAnswer(discord.invokeSlash(alice, general, 'story', { title: 'Keep', style: 'castle painting' }, 'new'), /That style uses a word this server has blocked/);
    const started = discord.invokeSlash(alice, general, 'story', { title: 'The Fox', style: 'ink' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 15_000);
    const thread = discord.threads().find((t) => t.name === 'The Fox')!;
    await privateAnswer(discord.invokeSlash(alice, thread.id, 'story', { name: 'Fox', description: 'a fox from the castle' }, 'cast'), /That description uses a word this server has blocked/);
    await privateAnswer(discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The fox walked to the castle.' }), /That passage uses a word this server has blocked/);

    // A passage pasted in the thread: the answer is public, so it does not repeat the word.
    const posted = discord.postMessage(alice, thread.id, { content: 'The fox climbed the dark tower at night.' });
    const reply = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && m.message_reference?.message_id === posted.id, 15_000);
    expect(reply.content).toMatch(/not allowed here/);
    expect(reply.content.toLowerCase()).not.toMatch(/tower|castle/);

    // A refinement naming a blocked word is refused before anything else is looked at.
    const drawn = discord.invokeSlash(alice, general, 'draw', { prompt: 'a fox in the snow' });
    await drawn.waitForOriginal((m) => /Drawing/.test(m.content), 15_000);
    await jobFor('a fox in the snow');
    await privateAnswer(discord.invokeSlash(alice, general, 'refine', { add: 'a castle behind' }), /That refinement uses a word this server has blocked/);
    expect((await jobs()).map((j) => j.prompt)).toEqual(['a fox in the snow']);
  });

  it('applies the built-in list and the default negative outside age-restricted channels only', async () => {
    const { discord } = bed;
    const alice = discord.user('alice');
    const refusal = await privateAnswer(discord.invokeSlash(alice, discord.channelId('general'), 'draw', { prompt: 'a nude marble statue' }), /age-restricted/);
    expect(refusal.content).toContain('"nude"');
    expect((await jobs()).some((j) => j.prompt.includes('statue'))).toBe(false);

    const allowed = discord.invokeSlash(alice, discord.channelId('after-dark'), 'draw', { prompt: 'a nude marble statue', negative: 'blur' });
    await allowed.waitForOriginal((m) => /Drawing/.test(m.content), 15_000);
    const adult = await jobFor('a nude marble statue');
    expect(adult.negative).toBe('blur');
    expect(adult.safetyCheck).toBe(true);

    const ordinary = await jobFor('a fox in the snow'); // drawn in general by the test above
    expect(ordinary.negative).toBe(DEFAULT_NEGATIVE);
    expect(ordinary.safetyCheck).toBe(true);
  });

  it('turns the safety checker off only from an age-restricted channel, and only there', async () => {
    const { discord } = bed;
    const [gina, alice] = [discord.user('gina'), discord.user('alice')];
    const refused = await privateAnswer(discord.invokeSlash(gina, discord.channelId('general'), 'settings', { 'safety-checker': 'off' }), /age-restricted/);
    expect(refused.content).toMatch(/only from an age-restricted channel/);
    expect((await settings()).safetyCheckerOffInAgeRestricted).toBe(false);

    const done = await privateAnswer(discord.invokeSlash(gina, discord.channelId('after-dark'), 'settings', { 'safety-checker': 'off' }), /safety checker/);
    expect(done.content).toMatch(/off in this server's age-restricted channels/);
    expect((await settings()).safetyCheckerOffInAgeRestricted).toBe(true);

    await discord.invokeSlash(alice, discord.channelId('after-dark'), 'draw', { prompt: 'an owl at midnight' }).waitForOriginal((m) => /Drawing/.test(m.content), 15_000);
    await discord.invokeSlash(alice, discord.channelId('general'), 'draw', { prompt: 'an owl at noon' }).waitForOriginal((m) => /Drawing/.test(m.content), 15_000);
    expect((await jobFor('an owl at midnight')).safetyCheck).toBe(false);
    expect((await jobFor('an owl at noon')).safetyCheck).toBe(true);
    expect(discord.errors).toEqual([]);
  });

  it('refuses a Reroll of a draft whose words were blocked after it was drawn, and queues nothing', async () => {
    const { discord } = bed;
    const [gina, alice] = [discord.user('gina'), discord.user('alice')];
    const general = discord.channelId('general');
    await bed.spawnWorker('step', { STEP_MS: '10' });
    await discord.invokeSlash(alice, general, 'draw', { prompt: 'a kite over the bay' }).callback();
    const isDraft = (m: APIMessage) => m.author.id === discord.bot.id && m.attachments.length > 0 && /kite/.test(JSON.stringify(m.embeds));
    const done = await discord.waitForMessage(general, isDraft, 60_000);
    await privateAnswer(discord.invokeSlash(gina, general, 'settings', { 'blocklist-add': 'kite' }), /Added "kite"/);
    const buttons = (done.components as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components);
    const reroll = discord.clickButton(alice, done, buttons.find((b) => b.label === 'Reroll')!.custom_id);
    await privateAnswer(reroll, /That prompt uses a word this server has blocked: "kite"/);
    expect((await jobs()).filter((j) => j.prompt === 'a kite over the bay')).toHaveLength(1);
    expect(discord.errors).toEqual([]);
  }, 120_000);
});
