/**
 * `npm start` as an operator runs it: src/main.ts in its own process logs the real discord.js client
 * in (here to the loopback Discord), starts its render worker child, serves a /draw end to end, and
 * shuts both down on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIMessage } from 'discord.js';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../src/discord/command-loader.js';
import { registerCommands } from '../src/discord/command-registration.js';
import { FakeDiscord } from '../src/playground/discord-server/index.js';
import { deletePrefixKeys } from './support/redis-keys.js';
import { cleanEnv, repoRoot } from './support/run-node.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('npm start', () => {
  it('runs the bot and its worker child: a /draw comes back as a grid, SIGTERM stops both', async () => {
    const discord = await FakeDiscord.start({ guilds: [{ name: 'Story Club', channels: ['general'], users: ['alice'] }] });
    cleanups.push(() => discord.close());
    const dataDir = await mkdtemp(join(tmpdir(), 'taleframe-start-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await registerCommands((await loadCommands()).values(), { token: discord.token, applicationId: discord.bot.id, apiBase: discord.restBase });

    const prefix = `tf-start-${randomBytes(4).toString('hex')}`;
    cleanups.push(() => deletePrefixKeys(prefix));
    const env = cleanEnv({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.restBase,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      DATA_DIR: dataDir,
      MODEL_DIR: 'models/toy',
      RENDER_WIDTH: '64',
      RENDER_HEIGHT: '64',
      RENDER_STEPS: '4',
    });
    const main = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    main.stderr.on('data', (d) => (stderr += d));
    main.stdout.resume();
    const exited = new Promise<number | null>((resolve) => main.on('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (main.exitCode === null) main.kill('SIGKILL');
    });

    await discord.whenReady();
    expect(discord.identifies.length).toBeGreaterThan(0);
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    const draw = discord.invokeSlash(alice, general, 'draw', { prompt: 'a lighthouse at dusk' });
    expect((await draw.callback()).elapsedMs).toBeLessThan(3000);
    const hasImage = (m: APIMessage) => m.author.id === discord.bot.id && m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
    const draft = await discord.waitForMessage(general, hasImage, 60_000);
    const grid = await sharp(discord.file(draft.attachments[0]!)).metadata();
    expect(grid.format).toBe('png');
    expect(grid.width).toBeGreaterThanOrEqual(128);

    main.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 120_000);
});
