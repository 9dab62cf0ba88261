// What a group sees in a story thread, with the real discord.js client against the loopback Discord,
// real Redis and a real toy-model worker: the pinned story card is edited as cast, scenes, panels and
// style change; the draft grid carries 1-4 labels; a vote closes with a sentence for people; the
// one-panel storyboard sheet prints the whole title; the picture book is announced in plain words.
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textBlock } from '../src/media/text-block.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { gridCornerDiffs, inkColumns, TEST_OUTPUT } from './support/picture-checks.js';
import { until } from './support/until.js';

let bed: BotBed;
beforeAll(async () => {
  bed = await createBotBed();
  await bed.spawnWorker('toy');
}, 90_000);
afterAll(async () => bed?.cleanup());

const hasImage = (m: APIMessage) => (m.embeds?.[0]?.image?.url ?? '') !== '' && m.attachments.length > 0;
const field = (m: APIMessage | undefined, name: string) => m?.embeds?.[0]?.fields?.find((f) => f.name === name)?.value ?? '';

describe('story thread polish', () => {
  it('keeps the pinned card current, labels the grid and speaks plainly', async () => {
    const { discord } = bed;
    const alice = discord.user('alice'), bob = discord.user('bob'), carol = discord.user('carol');
    const general = discord.channelId('general');
    await discord.invokeSlash(alice, general, 'settings', { quorum: 2 }).waitForOriginal((m) => /votes close at 2 voters/.test(m.content));
    await discord.invokeSlash(alice, general, 'story', { title: 'The Fox and the Moon', style: 'watercolour' }, 'new').waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;
    const card = () => discord.pins(thread.id)[0];
    expect(field(card(), 'Panels')).toBe('0 of 0 scenes');

    await discord.invokeSlash(alice, thread.id, 'story', { name: 'Fox', description: 'a lean red fox' }, 'cast').waitForOriginal((m) => /Added/.test(m.content));
    expect(field(card(), 'Cast')).toContain('a lean red fox');

    await discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The fox looked up at the moon over the frozen river.' })
      .waitForOriginal((m) => /1 scene planned/.test(m.content), 15_000);
    expect(field(card(), 'Panels')).toBe('0 of 1 scenes');

    const draft = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && hasImage(m), 60_000);
    const grid = discord.file(draft.attachments[0]!)!;
    const record = (await bed.bot.ctx.stories.getDraft((await bed.bot.ctx.drafts.locations.draftOfMessage(draft.id))!))!;
    const variants = await Promise.all(record.blobKeys.map((k) => bed.bot.ctx.blobs.get(k)));
    await mkdir(TEST_OUTPUT, { recursive: true });
    await writeFile(`${TEST_OUTPUT}/grid-labelled.png`, grid);
    // Each picture is untouched except for a small number tag with white ink in its top left corner.
    for (const cell of await gridCornerDiffs(grid, variants)) {
      expect(cell.outside).toBe(0);
      expect(cell.inside).toBeGreaterThan(10);
      expect(cell.whiteInk).toBe(true);
    }

    discord.react(bob, draft, '2️⃣');
    discord.react(carol, draft, '2️⃣');
    const panel = await discord.waitForMessage(thread.id, (m) => /panel: picture 2/.test(m.embeds?.[0]?.title ?? ''), 15_000);
    expect(panel.embeds?.[0]?.description).toMatch(/^Chosen by 2 votes — enough to decide\./);
    await until('the card to count the panel', () => field(card(), 'Panels') === '1 of 1 scenes');

    await discord.invokeSlash(alice, thread.id, 'story', { style: 'ink and wash' }, 'style').waitForOriginal((m) => /Style updated/.test(m.content));
    expect(field(card(), 'Style')).toBe('ink and wash');

    const board = discord.invokeSlash(alice, thread.id, 'storyboard');
    const sheetMessage = await board.waitForOriginal((m) => m.attachments.length > 0, 15_000);
    const sheet = discord.file(sheetMessage.attachments[0]!)!;
    await writeFile(`${TEST_OUTPUT}/storyboard-one-panel.png`, sheet);
    const { width } = await sharp(sheet).metadata();
    const title = (await textBlock('The Fox and the Moon', { fontPx: 28, minFontPx: 16, maxWidth: width! - 24, maxLines: 2, bold: true }))!;
    expect(title.printed).toBe('The Fox and the Moon');
    const ink = await inkColumns(sheet, { top: 0, height: 12 + title.height }, '#f7f4ee');
    expect(ink.last).toBeLessThan(width! - 12);

    const book = discord.invokeSlash(alice, thread.id, 'storyboard', { format: 'html' });
    const said = await book.waitForOriginal((m) => m.content !== '', 10_000);
    expect(said.content).toBe('Making the picture book… I will post it here when it is ready.');
    await discord.waitForMessage(thread.id, (m) => /here is your picture book/.test(m.content), 60_000);
    expect(discord.errors).toEqual([]);
  }, 180_000);
});
