import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeOpenAI } from './fake-openai/fake-openai-server.js';
import { deletePrefixKeys } from './support/redis-keys.js';
import { cleanEnv, runEntry } from './support/run-node.js';

// The walking skeleton, exactly as a user runs it: the CLI plans the passage, queues one job per
// scene on real Redis, a real worker process renders with the toy ONNX model, PNGs come back.
describe('npm run illustrate', () => {
  const dirs: string[] = [];
  const prefixes: string[] = [];
  const prefix = (name: string) => {
    prefixes.push(`${name}-${process.pid}-${Date.now()}`);
    return prefixes.at(-1)!;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    for (const p of prefixes) await deletePrefixKeys(p);
  });

  it('renders one PNG per scene and a storyboard sheet', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'taleframe-illustrate-'));
    dirs.push(tmp);
    const out = path.join(tmp, 'out');
    const env = cleanEnv({
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix('tf-ill'),
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

  it('plans with the LLM when OPENAI_BASE_URL is set and renders prompts carrying the style and the cast', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'taleframe-illustrate-llm-'));
    dirs.push(tmp);
    const openai = await FakeOpenAI.start();
    const scene = (first: number, last: number, action: string) => ({
      firstSentence: first, lastSentence: last, characters: ['Fox'], action, setting: 'a sunny vineyard', mood: 'hungry',
      shot: 'medium shot', prompt: `(fox:1.2), ${action}`, negativePrompt: 'people',
    });
    openai.script({
      kind: 'json',
      body: { scenes: [scene(1, 3, 'leaping at grapes'), scene(4, 9, 'walking away at dusk')], newCharacters: [{ name: 'Fox', description: 'a lean red fox with a white-tipped tail' }] },
    });
    try {
      const env = cleanEnv({
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: prefix('tf-ill-llm'),
        DATA_DIR: path.join(tmp, 'data'),
        OPENAI_BASE_URL: openai.baseURL,
        OPENAI_API_KEY: 'test-key',
      });
      const args = ['examples/aesop-fox-and-grapes.txt', '--out', path.join(tmp, 'out'), '--size', '64x64', '--steps', '4', '--style', 'ink and wash', '--verbose'];
      const result = await runEntry('src/cli/illustrate.ts', args, env, 120_000);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/planned 2 scene\(s\) with the llm planner/);
      const prompts = result.stdout.split('\n').filter((l) => l.trim().startsWith('prompt:'));
      expect(prompts).toHaveLength(2);
      for (const line of prompts) {
        expect(line).toContain('ink and wash');
        expect(line).toContain('a lean red fox with a white-tipped tail');
      }
      expect(openai.requests.length).toBe(1);
      expect((await readdir(path.join(tmp, 'out'))).sort()).toEqual(['scene-01.png', 'scene-02.png', 'storyboard.png']);
    } finally {
      await openai.close();
    }
  });

  it('answers a Chinese passage, planned offline, with one sentence on the English-only planner and renders nothing', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'taleframe-illustrate-zh-'));
    dirs.push(tmp);
    const out = path.join(tmp, 'out');
    const env = cleanEnv({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix('tf-ill-zh'), DATA_DIR: path.join(tmp, 'data'), MODEL_DIR: 'models/toy' });
    const result = await runEntry('src/cli/illustrate.ts', ['test/planner-passages/zh-shou-zhu-dai-tu.txt', '--out', out], env, 60_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^taleframe: This passage looks like it is written in Chinese, and the offline planner reads English only: .*OPENAI_BASE_URL or OPENAI_API_KEY/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).not.toMatch(/scene 1|prompt:/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('exits 1 and names the scenes that failed, in friendly words, when some renders fail for good', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'taleframe-illustrate-fail-'));
    dirs.push(tmp);
    const env = cleanEnv({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix('tf-ill-fail'), DATA_DIR: path.join(tmp, 'data'), MODEL_DIR: 'models/toy' });
    // Workers that break scene 2 on every try (library text), serving the CLI's --no-worker run.
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/queue/step-worker.ts'], { env: { ...env, STEP_MS: '5', BREAK_REQUESTS_ENDING: '-2' }, stdio: 'ignore' });
    try {
      const result = await runEntry('src/cli/illustrate.ts', ['examples/aesop-tortoise-and-hare.txt', '--out', path.join(tmp, 'out'), '--size', '64x64', '--steps', '2', '--no-worker'], env, 120_000);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/position null/);
      expect(result.stdout).toMatch(/scene 1: queued \((position \d+|started at once|already finished)\)/);
      expect(result.stdout).toContain('scene 2: failed: The renderer hit an unexpected problem (it has been logged); please ask for it again in a moment.');
      expect(result.stdout).not.toMatch(/ONNX|RUNTIME_EXCEPTION/);
      expect(result.stderr.trim()).toMatch(/^taleframe: 1 of \d scenes failed \(scene 2\); the others were written, storyboard.png was not\. Run it again to retry\.$/);
      const files = await readdir(path.join(tmp, 'out'));
      expect(files).toContain('scene-01.png');
      expect(files).not.toContain('scene-02.png');
      expect(files).not.toContain('storyboard.png');
    } finally {
      worker.kill('SIGTERM');
    }
  });

  it('answers a missing passage file with one sentence and exit code 2', async () => {
    const result = await runEntry('src/cli/illustrate.ts', ['no-such-file.txt', '--out', '/tmp/x'], cleanEnv(), 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('taleframe: cannot read the passage file no-such-file.txt.');
  });

  it('answers an unknown option with one line and exit code 2', async () => {
    const result = await runEntry('src/cli/illustrate.ts', ['story.txt', '--out', '/tmp/x', '--bogus'], cleanEnv(), 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^taleframe: Unknown option '--bogus'\. usage: npm run illustrate/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
