import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, runEntry } from './support/run-node.js';

// The walking skeleton, exactly as a user runs it: the CLI plans the passage, queues one job per
// scene on real Redis, a real worker process renders with the toy ONNX model, PNGs come back.
describe('npm run illustrate', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('renders one PNG per scene and a storyboard sheet', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'taleframe-illustrate-'));
    dirs.push(tmp);
    const out = path.join(tmp, 'out');
    const env = cleanEnv({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `tf-ill-${process.pid}-${Date.now()}`,
      DATA_DIR: path.join(tmp, 'data'),
      MODEL_DIR: 'models/toy',
    });
    const result = await runEntry('src/cli/illustrate.ts', ['examples/aesop-tortoise-and-hare.txt', '--out', out, '--size', '96x64', '--steps', '8'], env, 120_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/planned \d scene\(s\) with the offline planner/);

    const files = (await readdir(out)).sort();
    const scenes = files.filter((f) => /^scene-\d\d\.png$/.test(f));
    expect(scenes.length).toBeGreaterThanOrEqual(2);
    expect(files).toContain('storyboard.png');
    const pixels: Buffer[] = [];
    for (const file of scenes) {
      const { data, info } = await sharp(await readFile(path.join(out, file))).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([96, 64]);
      pixels.push(data);
    }
    // Different scenes have different prompts, so the pictures differ.
    expect(pixels[0]!.equals(pixels[1]!)).toBe(false);
  });

  it('answers a missing passage file with one sentence and exit code 2', async () => {
    const result = await runEntry('src/cli/illustrate.ts', ['no-such-file.txt', '--out', '/tmp/x'], cleanEnv(), 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('taleframe: cannot read the passage file no-such-file.txt.');
  });
});
