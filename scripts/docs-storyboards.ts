/**
 * `npm run docs:storyboards [-- --model DIR]`: rebuilds the storyboards in docs/storyboards/ from the
 * three examples, exactly as a user would make them (`npm run illustrate` with a fixed seed, on the
 * default model unless --model says otherwise), and stores each sheet as a JPEG small enough for git.
 * Needs Redis (illustrate queues its scenes there). Run it after committing new weights.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({ options: { model: { type: 'string' }, seed: { type: 'string', default: '7' } } });
const out = 'docs/storyboards';
await mkdir(out, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'taleframe-docs-'));
try {
  for (const file of readdirSync('examples').filter((f) => f.endsWith('.txt')).sort()) {
    const name = basename(file, '.txt');
    const dir = join(scratch, name);
    console.log(`illustrating examples/${file}`);
    const run = spawnSync('npx', ['tsx', 'src/cli/illustrate.ts', join('examples', file), '--out', dir, '--seed', values.seed!], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...(values.model ? { MODEL_DIR: values.model } : {}) },
    });
    if (run.status !== 0) throw new Error(`illustrate failed for examples/${file} (exit ${run.status})`);
    await sharp(join(dir, 'storyboard.png')).jpeg({ quality: 82, mozjpeg: true }).toFile(join(out, `${name}.jpg`));
    console.log(`wrote ${join(out, `${name}.jpg`)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
