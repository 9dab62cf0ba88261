// /storyboard [format] — export the story's panels: a sheet at once, a slideshow or HTML book via a worker.
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { exportStoryboard } from '../src/discord/media/media-requests.js';

export default {
  data: new SlashCommandBuilder()
    .setName('storyboard')
    .setDescription("Export the story's panels")
    .addStringOption((o) =>
      o.setName('format').setDescription('Export format').addChoices({ name: 'sheet (PNG)', value: 'sheet' }, { name: 'slideshow (video)', value: 'slideshow' }, { name: 'picture book (HTML)', value: 'html' })),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply();
    await exportStoryboard(interaction, ctx);
  },
};
