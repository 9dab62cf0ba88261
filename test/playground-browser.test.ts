/**
 * The local playground as a newcomer meets it: `npm start` without DISCORD_TOKEN (src/main.ts in its
 * own process, with its worker child on the toy model), then the page in Debian's headless Chromium as
 * two members in two browser contexts - Alice at 1280x800 (the owner), Bob at phone width. /draw shows
 * progress then the 2x2 grid; a button works; /story new, a passage in the thread, both react, the panel
 * is announced; a mask painted over the draft refines it; /storyboard posts the sheet; a bad upload gets
 * the bot's private error. Screenshots of each step go to test-output/playground/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/process/embedded-redis.js';
import { deletePrefixKeys } from './support/redis-keys.js';
import { cleanEnv, repoRoot } from './support/run-node.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(repoRoot, 'test-output', 'playground');
const prefix = `tf-play-${randomBytes(4).toString('hex')}`;
let main: ChildProcess | undefined;
let browser: Browser | undefined;
let dataDir = '';
let address = '';
let output = '';
/** The members' API calls, printed when the test fails. */
const calls: string[] = [];

/** Starts `npm start` (no DISCORD_TOKEN) and resolves with the address it prints. */
async function startPlayground(): Promise<string> {
  dataDir = await mkdtemp(join(tmpdir(), 'taleframe-playground-'));
  const env = cleanEnv({
    PLAYGROUND_PORT: String(await freePort()), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix,
    DATA_DIR: dataDir, MODEL_DIR: 'models/toy', RENDER_WIDTH: '64', RENDER_HEIGHT: '64', PREVIEW_EVERY: '1', LOG_LEVEL: 'info',
  });
  main = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Taleframe playground: open (http:\/\/\S+) in your browser/.exec(output);
      if (found) resolve(found[1]!);
    };
    main!.stdout!.on('data', collect);
    main!.stderr!.on('data', collect);
    main!.once('exit', (code) => reject(new Error(`npm start exited (${code}): ${output}`)));
  });
}

async function memberPage(name: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser!.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('request', (request) => request.url().includes('/playground/api/') && calls.push(`${name} ${request.method()} ${request.url().replace(/^.*\/api/, '')} ${request.postData() ?? ''}`));
  page.on('pageerror', (error) => {
    throw error;
  });
  // Every text a message ever showed, so a progress state that passes quickly is still seen.
  await page.addInitScript(`window.__seen = new Set();
    new MutationObserver(() => document.querySelectorAll('#messages .content').forEach((c) => window.__seen.add(c.textContent)))
      .observe(document, { subtree: true, childList: true, characterData: true });`);
  await page.goto(address);
  await page.fill('#join-name', name);
  await page.press('#join-name', 'Enter');
  await page.locator('#me').filter({ hasText: `You are ${name}` }).waitFor();
  return page;
}

/**
 * Waits until the pictures on the page have loaded: the list keeps following new messages as pictures
 * grow it, so a click aimed before a picture lands could hit whatever scrolled into its place.
 */
async function picturesLoaded(page: Page): Promise<void> {
  await page.evaluate(`Promise.race([new Promise((r) => setTimeout(r, 5000)), Promise.all([...document.images].filter((i) => !i.complete)
    .map((i) => new Promise((r) => { i.addEventListener('load', r); i.addEventListener('error', r); })))])`);
}

async function shot(page: Page, name: string): Promise<void> {
  await picturesLoaded(page);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

/** Types into the composer and presses Enter, as a member would. */
async function send(page: Page, text: string): Promise<void> {
  const input = page.locator('#composer-input');
  await input.click();
  await input.fill('');
  await input.pressSequentially(text, { delay: 2 });
  await input.press('Enter');
}

const message = (page: Page, text: string | RegExp) => page.locator('#messages > li.message').filter({ hasText: text }).first();

async function openThread(page: Page, name: string): Promise<void> {
  if (await page.locator('#menu-button').isVisible()) await page.click('#menu-button');
  await page.locator('.channel-link.thread', { hasText: name }).click();
  await page.locator('#channel-title', { hasText: name }).waitFor();
  await picturesLoaded(page);
}

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  address = await startPlayground();
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (main && main.exitCode === null) {
    const exited = new Promise((resolve) => main!.once('exit', resolve));
    main.kill('SIGTERM');
    await exited;
  }
  await deletePrefixKeys(prefix);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('the playground in a browser (skipped only when /usr/bin/chromium is absent)', () => {
  it('runs the whole story loop for two members', async () => {
    expect(output).toMatch(/running the local playground/);
    const alice = await memberPage('Alice', { width: 1280, height: 800 });
    const bob = await memberPage('Bob', { width: 390, height: 844 });
    try {
      await storyLoop(alice, bob);
    } catch (error) {
      await shot(alice, 'failed-alice').catch(() => undefined);
      await shot(bob, 'failed-bob').catch(() => undefined);
      console.error(`API calls:\n${calls.join('\n')}\nerrors: ${await alice.textContent('#composer-error')} / ${await bob.textContent('#composer-error')}`);
      throw error;
    }
  }, 420_000);
});

async function storyLoop(alice: Page, bob: Page): Promise<void> {
  await expect.poll(() => alice.locator('#member-list li').allTextContents()).toEqual(['Alice 👑', 'Bob']);
  await shot(bob, '00-bob-joined-phone');

  // /draw: progress, then the 2x2 grid with the prompt as its alt text.
  await alice.locator('#composer-input').click();
  await alice.locator('#composer-input').pressSequentially('/dr');
  await alice.locator('.hint', { hasText: '/draw' }).waitFor();
  await shot(alice, '01-composer-knows-draw');
  await alice.locator('#composer-input').press('Enter');
  await expect.poll(() => alice.locator('#composer-input').inputValue()).toBe('/draw ');
  await alice.locator('.hint', { hasText: 'prompt:' }).waitFor();
  await shot(alice, '02-draw-options');
  await alice.locator('#composer-input').fill('');
  await send(alice, '/draw prompt:a red fox in the snow');
  await message(alice, /in the queue|starting|rendering/).waitFor({ timeout: 30_000 }).then(() => shot(alice, '03-draw-progress'), () => undefined);
  const grid = alice.locator('img.embed-image[alt="Draft: a red fox in the snow"]');
  await grid.waitFor({ timeout: 90_000 });
  await grid.scrollIntoViewIfNeeded();
  await shot(alice, '04-draw-grid');
  const seen = (await alice.evaluate('[...window.__seen]')) as string[];
  expect(seen.some((text) => /a red fox in the snow/.test(text) && /in the queue|starting|rendering/.test(text))).toBe(true);
  expect(await alice.evaluate(`(() => { const img = document.querySelector('img.embed-image'); return [img.naturalWidth, img.naturalHeight]; })()`)).toEqual([132, 132]);

  // A button: Bob rerolls Alice's draft from his phone; a second draft comes back for him.
  await picturesLoaded(bob);
  await bob.locator('.message', { has: bob.locator('img.embed-image') }).last().getByRole('button', { name: 'Reroll' }).click();
  await message(bob, /Draft by @Bob is ready/).waitFor({ timeout: 90_000 });
  await shot(bob, '05-button-reroll-phone');

  // The story: the owner sets the quorum, starts a story; the thread appears for both.
  await send(alice, '/settings quorum:2');
  await message(alice, /votes close at 2 voters/).waitFor({ timeout: 15_000 });
  await send(alice, '/story new title:The Fox style:watercolour, storybook');
  await alice.locator('.channel-link.thread', { hasText: 'The Fox' }).waitFor({ timeout: 15_000 });
  await openThread(alice, 'The Fox');
  await send(alice, 'A hungry fox saw ripe grapes hanging from a high vine.');
  // The scene's draft is the message the bot put the vote reactions on.
  const storyDraft = alice.locator('#messages > li.message').filter({ has: alice.locator('img.embed-image') }).filter({ has: alice.locator('.reaction') }).first();
  await storyDraft.waitFor({ timeout: 90_000 });
  await expect.poll(() => storyDraft.locator('.reaction').count(), { timeout: 15_000 }).toBe(4);
  await openThread(bob, 'The Fox');
  await shot(alice, '06-story-draft');

  // Both vote 1️⃣ by clicking the reaction; the panel is announced.
  await picturesLoaded(alice);
  await storyDraft.locator('.reaction', { hasText: '1️⃣' }).click();
  const bobDraft = bob.locator('#messages > li.message').filter({ has: bob.locator('.reaction') }).first();
  await expect.poll(() => bobDraft.locator('.reaction', { hasText: '1️⃣' }).getAttribute('title')).toBe('Taleframe, Alice reacted with 1️⃣');
  // Bob votes from the keyboard: Tab to the reaction, Enter.
  await bobDraft.locator('.reaction', { hasText: '1️⃣' }).focus();
  await bob.keyboard.press('Enter');
  await expect.poll(() => bobDraft.locator('.reaction', { hasText: '1️⃣' }).getAttribute('aria-pressed')).toBe('true');
  const panel = message(alice, /panel: (variant|picture) 1/);
  await panel.waitFor({ timeout: 30_000 });
  await expect.poll(() => storyDraft.locator('.reaction', { hasText: '1️⃣' }).getAttribute('title')).toMatch(/Alice, Bob/);
  await panel.scrollIntoViewIfNeeded();
  await shot(alice, '07-votes-and-panel');
  await shot(bob, '07-votes-and-panel-phone');

  // A mask painted over variant 1 of the draft, sent as a reply: the refined draft comes back.
  await storyDraft.hover();
  await storyDraft.getByRole('button', { name: 'Paint a mask to refine' }).click();
  const canvas = alice.locator('#painter-canvas');
  await canvas.waitFor();
  await expect.poll(() => alice.evaluate(`document.getElementById('painter-canvas').width`)).toBe(132);
  const box = (await canvas.boundingBox())!;
  await alice.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.1);
  await alice.mouse.down();
  await alice.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.3, { steps: 8 });
  await alice.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.4, { steps: 8 });
  await alice.mouse.up();
  await shot(alice, '08-painting-mask');
  await alice.click('#painter-use');
  await expect.poll(() => alice.locator('#composer-input').inputValue()).toBe('variant: 1');
  await alice.locator('#pending-files li', { hasText: 'mask.png' }).waitFor();
  await shot(alice, '09-mask-reply-ready');
  await alice.locator('#composer-input').press('Enter');
  const refined = message(alice, /Refinement of (variant|picture) 1/);
  await refined.waitFor({ timeout: 90_000 });
  await refined.locator('img.embed-image').scrollIntoViewIfNeeded();
  await shot(alice, '10-refined-draft');

  // /storyboard posts the sheet.
  await send(alice, '/storyboard');
  const sheet = alice.locator('img.attachment-image[src*="storyboard.png"], img.embed-image[src*="storyboard.png"]');
  await sheet.first().waitFor({ timeout: 60_000 });
  await sheet.first().scrollIntoViewIfNeeded();
  await shot(alice, '11-storyboard');

  // A bad upload: Bob's /stylize with a text file gets the bot's private error; Alice does not see it.
  await bob.locator('#composer-input').click();
  await bob.locator('#composer-input').pressSequentially('/stylize prompt:ink wash');
  await bob.locator('input[data-option="video"]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a video') });
  await bob.locator('#composer-input').press('Enter');
  const privateError = message(bob, /"notes\.txt" is not a video/);
  await privateError.waitFor({ timeout: 15_000 });
  await privateError.scrollIntoViewIfNeeded();
  await expect.poll(() => privateError.locator('.ephemeral-note').textContent()).toMatch(/Only you can see this/);
  await shot(bob, '12-bad-upload-private-error-phone');
  expect(await message(alice, /is not a video/).count()).toBe(0);
}
