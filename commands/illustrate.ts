// /illustrate passage [image] [strength] — plans scenes and queues one 4-picture draft per scene (src/discord/stories/).
import { SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { illustratePassage, planSummary } from '../src/discord/stories/illustrate-passage.js';
import { requireStory } from '../src/discord/stories/story-access.js';
import { refuseInChannel } from '../src/discord/content/content-scope.js';
import { DEFAULT_START_STRENGTH, startingPicture } from '../src/discord/drafts/starting-picture.js';

export default {
  data: new SlashCommandBuilder()
    .setName('illustrate')
    .setDescription('Turn a passage of the story into scenes and drafts')
    .addStringOption((o) => o.setName('passage').setDescription('The passage').setRequired(true).setMinLength(3).setMaxLength(4000))
    .addAttachmentOption((o) => o.setName('image').setDescription('A sketch or photo every scene starts from'))
    .addNumberOption((o) => o.setName('strength').setDescription(`How much of the picture to redraw (default ${DEFAULT_START_STRENGTH})`).setMinValue(0.05).setMaxValue(1)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const passage = interaction.options.getString('passage', true);
    const scope = await refuseInChannel(ctx, interaction.guildId, interaction.channel, 'passage', [{ text: passage }]);
    await interaction.deferReply();
    const story = await requireStory(ctx.stories, interaction.channel);
    const start = await startingPicture(ctx, interaction.options.getAttachment('image'), interaction.options.getNumber('strength'));
    const result = await illustratePassage(ctx, story, passage, interaction.user.id, scope, start?.init);
    await interaction.editReply(planSummary(result));
  },
};
