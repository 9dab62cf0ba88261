/**
 * `npm run render` as a user runs it (a real child process on the toy model): it prints the settings
 * and per-model times and writes PNGs (one per variant plus the grid); every kind of bad input is
 * one sentence on stderr with exit code 2 and no stack trace.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../src/cli/npy.js';
import { ensureToyModels } from '../src/toy-model/index.js';
import { cleanEnv, runEntry } from './support/run-node.js';

let dir: string;
const render = (args: string[]) => runEntry('src/cli/render.ts', args, cleanEnv({ ORT_THREADS: '1' }), 60_000);

beforeAll(async () => {
  await ensureToyModels('models');
  dir = mkdtempSync(join(tmpdir(), 'taleframe-render-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run render', () => {
  it('renders variants, a grid, and prints settings and model times', async () => {
    const out = join(dir, 'fox.png');
    const result = await render(['--model', 'models/toy', '--prompt', 'a red fox', '--seed', '4', '--steps', '6', '--width', '96', '--height', '64', '--variants', '4', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/settings {2}seed 4, 6 steps, guidance 5, scheduler ddim, 96x64, 4 variant\(s\)/);
    expect(result.stdout).toMatch(/time {6}text encoder \d+ ms, UNet \d+ ms \(6 calls, \d+ ms each\), VAE encoder \d+ ms, VAE decoder \d+ ms; total \d+ ms/);
    for (let i = 1; i <= 4; i++) expect(existsSync(join(dir, `fox-${i}.png`))).toBe(true);
    const grid = await sharp(out).metadata();
    expect([grid.width, grid.height]).toEqual([196, 132]);
  });

  it.each(['toy', 'toy-int64', 'toy-scalar', 'toy-v', 'toy-inpaint', 'bench-unet', 'toy-external'])('renders with models/%s (each export variant)', async (name) => {
    const out = join(dir, `${name}.png`);
    const result = await render(['--model', `models/${name}`, '--prompt', 'a lighthouse at dusk', '--steps', '3', '--width', '64', '--height', '64', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
  });

  it('inpaints through --init and --mask, leaving unmasked pixels as they were', async () => {
    const init = join(dir, 'init.png');
    const mask = join(dir, 'mask.png');
    const out = join(dir, 'inpaint.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366aa' } }).png().toFile(init);
    const left = await sharp({ create: { width: 32, height: 64, channels: 3, background: '#ffffff' } }).png().toBuffer();
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000' } }).composite([{ input: left, left: 0, top: 0 }]).png().toFile(mask);
    const result = await render(['--model', 'models/toy', '--prompt', 'a red kite', '--steps', '4', '--width', '64', '--height', '64', '--init', init, '--mask', mask, '--out', out]);
    expect(result.stderr).toBe('');
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    // Right half (mask black) is exactly the source colour; the left half was repainted.
    for (let y = 0; y < 64; y++) for (let x = 40; x < 64; x++) expect([...data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)]).toEqual([0x33, 0x66, 0xaa]);
    expect([...data.subarray((32 * 64 + 8) * 3, (32 * 64 + 8) * 3 + 3)]).not.toEqual([0x33, 0x66, 0xaa]);
  });

  it('takes starting latents from a .npy file', async () => {
    const latents = join(dir, 'z.npy');
    writeFileSync(latents, encodeNpy(new Float32Array(4 * 8 * 8).fill(0.5), [1, 4, 8, 8]));
    const result = await render(['--model', 'models/toy', '--prompt', 'a red fox', '--steps', '3', '--width', '64', '--height', '64', '--latents', latents, '--out', join(dir, 'z.png')]);
    expect(result.code).toBe(0);
  });

  it.each([
    [['--prompt', 'x', '--out', 'a.png', '--model', 'models/nope'], 'models/nope does not exist.'],
    [['--prompt', 'x', '--out', 'a.png', '--model', 'models/toy', '--height', '500'], 'height 500 is not a multiple of 8.'],
    [['--prompt', 'x', '--out', 'a.png', '--steps', 'many'], '--steps "many" is not a whole number.'],
    [['--prompt', 'x', '--out', 'a.jpg'], '--out a.jpg does not end in .png.'],
    [['--out', 'a.png'], '--prompt is missing.'],
    [['--prompt', 'x', '--out', 'a.png', '--scheduler', 'heun'], '--scheduler heun is not one of euler, euler-ancestral, dpmpp-2m, ddim, pndm, lcm.'],
    [['--prompt', 'x', '--out', 'a.png', '--strength', '0.5'], '--strength needs --init.'],
    [['--prompt', 'x', '--out', 'a.png', '--model', 'models/toy', '--init', 'missing.png'], 'missing.png cannot be read as an image.'],
    [['--prompt', 'x', '--out', 'a.png', '--model', 'models/toy', '--latents', 'missing.bin'], 'missing.bin cannot be read.'],
  ])('%j -> exit 2', async (args, message) => {
    const result = await render(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(message);
  });
});
