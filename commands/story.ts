// /story new|style|cast|show|end — a story's lifecycle; the work happens in src/discord/stories/.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { startStory } from '../src/discord/stories/start-story.js';
import { addStoryCast, endStory, setStoryStyle, showStory } from '../src/discord/stories/story-commands.js';
import { refuseInChannel } from '../src/discord/content/content-scope.js';

const data = new SlashCommandBuilder()
  .setName('story')
  .setDescription('Start and shape an illustrated story')
  .addSubcommand((s) =>
    s.setName('new').setDescription('Start a story in a new thread')
      .addStringOption((o) => o.setName('title').setDescription('Story title').setRequired(true).setMaxLength(100))
      .addStringOption((o) => o.setName('style').setDescription('Style every panel keeps, e.g. "watercolour, soft light"').setRequired(true).setMaxLength(500))
      .addStringOption((o) => o.setName('negative').setDescription('What panels should avoid').setMaxLength(500)))
  .addSubcommand((s) =>
    s.setName('style').setDescription("Change the story's style lock")
      .addStringOption((o) => o.setName('style').setDescription('New style words').setRequired(true).setMaxLength(500))
      .addStringOption((o) => o.setName('negative').setDescription('New negative prompt').setMaxLength(500)))
  .addSubcommand((s) =>
    s.setName('cast').setDescription('Add or change a character')
      .addStringOption((o) => o.setName('name').setDescription('Character name').setRequired(true).setMaxLength(40))
      .addStringOption((o) => o.setName('description').setDescription('How they look').setRequired(true).setMaxLength(200))
      .addAttachmentOption((o) => o.setName('reference').setDescription('A reference picture')))
  .addSubcommand((s) => s.setName('show').setDescription('Show the story card'))
  .addSubcommand((s) => s.setName('end').setDescription('End the story'));

export default {
  data,
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const sub = interaction.options.getSubcommand();
    // Style, negative and cast descriptions end up in every prompt of the story: checked before anything is kept.
    await refuseInChannel(ctx, interaction.guildId, interaction.channel, sub === 'cast' ? 'description' : 'style', [
      { text: interaction.options.getString('style') },
      { text: interaction.options.getString('negative'), kind: 'negative' },
      { text: interaction.options.getString('name') },
      { text: interaction.options.getString('description') },
    ]);
    await interaction.deferReply(sub === 'new' || sub === 'show' ? {} : { flags: MessageFlags.Ephemeral });
    if (sub === 'new') {
      const story = await startStory(interaction, ctx, {
        title: interaction.options.getString('title', true),
        style: interaction.options.getString('style', true),
        negative: interaction.options.getString('negative') ?? '',
      });
      await interaction.editReply(`📖 **${story.title}** has begun in <#${story.threadId ?? story.channelId}>. Write the story there.`);
    } else if (sub === 'style') await setStoryStyle(interaction, ctx);
    else if (sub === 'cast') await addStoryCast(interaction, ctx);
    else if (sub === 'show') await showStory(interaction, ctx);
    else await endStory(interaction, ctx);
  },
};
