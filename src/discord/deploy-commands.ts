/**
 * `npm run commands:deploy`: registers Taleframe's commands with Discord, to DISCORD_GUILD_ID when it
 * is set (shows at once) or globally. Run it after changing a command's definition, not on start.
 */
import { exitWithSentence, loadConfigOrExit, messageOf } from '../process/fatal.js';
import { loadCommands } from './command-loader.js';
import { registerCommands } from './command-registration.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
    exitWithSentence('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to register commands (see README, "Discord setup").');
  }
  const commands = await loadCommands();
  const count = await registerCommands(commands.values(), {
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_GUILD_ID,
    apiBase: config.DISCORD_API_BASE,
  });
  const where = config.DISCORD_GUILD_ID ? `guild ${config.DISCORD_GUILD_ID}` : 'every server (global; may take up to an hour to appear)';
  console.log(`Registered ${count} commands for ${where}: ${[...commands.keys()].map((n) => `/${n}`).join(' ')}`);
}

main().catch((error) => exitWithSentence(`could not register commands: ${messageOf(error)}`));
