// Storyboard exports with real sharp, ffmpeg and Chromium: the PNG sheet, the captioned Ken Burns
// slideshow (checked with ffprobe and by looking for the caption band in a decoded frame), and the
// self-contained HTML picture book opened from disk in headless Chromium with every panel on screen.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg, probeMedia, type FfmpegTools } from '../src/media/ffmpeg.js';
import { escapeHtml, pictureBook } from '../src/media/picture-book.js';
import { exportStoryboard, type StoryboardPanel } from '../src/media/storyboard-export.js';
import { frameOf, meanColor, panelPng } from './support/media-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const LIMIT = 10 * 1024 * 1024;
const COLORS: Array<[string, [number, number, number]]> = [
  ['#d62828', [214, 40, 40]],
  ['#2a9d3f', [42, 157, 63]],
  ['#2a4fd6', [42, 79, 214]],
];
const TITLE = 'The Fox & the <Grapes>';

let tools: FfmpegTools;
let dir: string;
let panels: StoryboardPanel[];

beforeAll(async () => {
  tools = locateFfmpeg({});
  dir = await mkdtemp(join(tmpdir(), 'taleframe-media-export-'));
  const captions = [
    'The Fox sees the grapes hanging high on the vine <script>alert("x")</script>',
    'He jumps & misses, again and again, until his legs ache.',
    '"They are sour anyway," he says, and walks away.',
  ];
  panels = await Promise.all(COLORS.map(async ([color], i) => ({ png: await panelPng(color, String(i + 1)), caption: captions[i]! })));
});
afterAll(async () => {
  // KEEP_MEDIA_ARTIFACTS=1 keeps the frames and the screenshot for a person to look at.
  if (process.env.KEEP_MEDIA_ARTIFACTS === '1') console.info('media artifacts kept in', dir);
  else await rm(dir, { recursive: true, force: true });
});

describe('storyboard export', () => {
  it('exports the PNG sheet under the limit', async () => {
    const file = await exportStoryboard(tools, { title: TITLE, panels }, 'sheet', { uploadLimitBytes: LIMIT });
    expect(file).toMatchObject({ format: 'sheet', ext: 'png', mime: 'image/png' });
    const meta = await sharp(file.bytes).metadata();
    expect(meta.format).toBe('png');
    expect(file.bytes.length).toBeLessThanOrEqual(LIMIT);
    // A tighter limit shrinks the cells instead of failing.
    const small = await exportStoryboard(tools, { title: TITLE, panels }, 'sheet', { uploadLimitBytes: Math.floor(file.bytes.length * 0.7) });
    expect((await sharp(small.bytes).metadata()).width!).toBeLessThan(meta.width!);
  });

  it('exports a captioned Ken Burns slideshow with crossfades as H.264', async () => {
    const file = await exportStoryboard(tools, { title: TITLE, panels }, 'slideshow', {
      uploadLimitBytes: LIMIT,
      slideshow: { maxSide: 256, fps: 8, secondsPerPanel: 2, fadeSeconds: 0.5 },
    });
    expect(file).toMatchObject({ ext: 'mp4', mime: 'video/mp4' });
    const path = join(dir, 'slideshow.mp4');
    await writeFile(path, file.bytes);
    const probe = await probeMedia(tools, path);
    // Title card + 3 panels of 16 frames, overlapping by 4 frames each time: 4 * 16 - 3 * 4 = 52.
    expect(probe.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 256, height: 192, fps: 8, frames: 52 });
    expect(probe.durationSec).toBeCloseTo(6.5, 1);
    expect(probe.hasAudio).toBe(false);

    // Segments: title 0-15, panel 1 12-27, panel 2 24-39, panel 3 36-51. Frame 20 is panel 1 alone:
    // red in the clear left area, a dark caption band with light text along the bottom.
    const frame = await frameOf(tools, path, 20, dir);
    await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } }).png().toFile(join(dir, 'slideshow-frame-20.png'));
    const above = meanColor(frame, 0, 125, 60, 20);
    expect(above[0]).toBeGreaterThan(150);
    expect(above[1]).toBeLessThan(90);
    const band = meanColor(frame, 0, frame.height - 14, frame.width, 14);
    expect(band[0]).toBeLessThan(above[0] * 0.75);
    // Frame 26 is inside the fade from panel 1 to panel 2: red and green mixed; frame 32 is all green.
    const mixed = meanColor(await frameOf(tools, path, 26, dir), 0, 125, 60, 20);
    expect(mixed[0]).toBeGreaterThan(80);
    expect(mixed[1]).toBeGreaterThan(70);
    const green = meanColor(await frameOf(tools, path, 32, dir), 0, 125, 60, 20);
    expect(green[0]).toBeLessThan(70);
    expect(green[1]).toBeGreaterThan(130);
  });

  it('writes one self-contained, escaped HTML book', async () => {
    const file = await exportStoryboard(tools, { title: TITLE, panels }, 'html', { uploadLimitBytes: LIMIT });
    expect(file).toMatchObject({ ext: 'html', mime: 'text/html; charset=utf-8' });
    const html = file.bytes.toString('utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<title>${escapeHtml(TITLE)}</title>`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(?:src|href)="(?!data:)/);
    expect(html.match(/<img src="data:image\/jpeg;base64,/g)).toHaveLength(3);
    expect(html).toContain("default-src 'none'");
    await expect(pictureBook(panels, { title: TITLE, limitBytes: 2000 })).rejects.toThrow(/^The picture book is still .* MiB with the smallest pictures, over the 0\.00 MiB upload limit/);
  });

  it.skipIf(!existsSync(CHROMIUM))('opens offline in headless Chromium with every panel visible (skipped only when /usr/bin/chromium is absent)', async () => {
    const { chromium } = await import('playwright-core');
    const file = await exportStoryboard(tools, { title: TITLE, panels }, 'html', { uploadLimitBytes: LIMIT });
    const path = join(dir, 'book.html');
    await writeFile(path, file.bytes);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 900 }, offline: true });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      expect(await page.title()).toBe(TITLE);
      // Page-side code as strings: the project's type-check has no DOM library.
      const images = (await page.evaluate(
        `Array.from(document.images).map((img) => { const r = img.getBoundingClientRect();
          return { complete: img.complete, naturalWidth: img.naturalWidth, x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; })`,
      )) as Array<{ complete: boolean; naturalWidth: number; x: number; y: number; width: number; height: number }>;
      const docSize = (await page.evaluate(
        '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
      )) as { width: number; height: number };
      expect(images).toHaveLength(3);
      for (const img of images) {
        expect(img.complete).toBe(true);
        expect(img.naturalWidth).toBeGreaterThan(0);
        expect(img.width).toBeGreaterThan(100);
        expect(img.x).toBeGreaterThanOrEqual(0);
        expect(img.y).toBeGreaterThanOrEqual(0);
        expect(img.x + img.width).toBeLessThanOrEqual(docSize.width);
        expect(img.y + img.height).toBeLessThanOrEqual(docSize.height);
      }
      // Nothing but the file itself was requested (data: URIs are not requests).
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

      const shotPath = join(dir, 'book.png');
      const shot = await page.screenshot({ fullPage: true, path: shotPath });
      const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const image = { width: info.width, height: info.height, data: new Uint8Array(data) };
      for (const [i, img] of images.entries()) {
        // Below the label and the disc: the panel's flat colour, as the reader sees it.
        const [r, g, b] = meanColor(image, Math.round(img.x + img.width * 0.1), Math.round(img.y + img.height * 0.8), 20, 10);
        const want = COLORS[i]![1];
        expect(Math.abs(r - want[0]) + Math.abs(g - want[1]) + Math.abs(b - want[2]), `panel ${i + 1}`).toBeLessThan(40);
      }
      console.info('picture book screenshot', shotPath, `${info.width}x${info.height}`);
    } finally {
      await browser.close();
    }
  });
});
