// `npm run commands:deploy` as an operator runs it: registers every command file with Discord (here
// the loopback Discord) for one guild, and refuses with one sentence when the application id is unset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../src/playground/discord-server/index.js';
import { cleanEnv, runEntry } from './support/run-node.js';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await FakeDiscord.start({ guilds: [{ name: 'Story Club', channels: ['general'], users: ['alice'] }] });
});
afterAll(async () => {
  await discord.close();
});

describe('npm run commands:deploy', () => {
  it('registers every slash and context-menu command to the guild', async () => {
    const guildId = discord.guild().id;
    const env = cleanEnv({ DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.bot.id, DISCORD_GUILD_ID: guildId, DISCORD_API_BASE: discord.restBase });
    const result = await runEntry('src/discord/deploy-commands.ts', [], env, 90_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = discord.commands().map((c) => c.name).sort();
    expect(names).toEqual(['Refine draft', 'animate', 'budget', 'draw', 'illustrate', 'queue', 'refine', 'settings', 'story', 'storyboard', 'stylize']);
    expect(result.stdout).toContain(`Registered 11 commands for guild ${guildId}`);
  }, 120_000);

  it('refuses with one sentence without an application id', async () => {
    const result = await runEntry('src/discord/deploy-commands.ts', [], cleanEnv({ DISCORD_TOKEN: discord.token }));
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/DISCORD_APPLICATION_ID must be set/);
  });
});
