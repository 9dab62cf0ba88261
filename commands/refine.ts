// /refine — inpaint or img2img one variant of a draft (src/discord/refine/); the result replies to the draft.
import { MessageFlags, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { REGION_NAMES } from '../src/core/refine/region-mask.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { postBotMessage } from '../src/discord/drafts/message-post.js';
import { findDraft } from '../src/discord/refine/find-draft.js';
import { refineDraft } from '../src/discord/refine/refine-draft.js';
import { storyOfChannel } from '../src/discord/stories/story-access.js';
import { refuseInChannel } from '../src/discord/content/content-scope.js';

export default {
  data: new SlashCommandBuilder()
    .setName('refine')
    .setDescription('Change part of a draft: a mask, a region, or words to add, stress or avoid')
    .addStringOption((o) => o.setName('draft').setDescription('Link to the draft message (default: the newest draft here)').setMaxLength(200))
    .addIntegerOption((o) => o.setName('variant').setDescription('Which picture (1-4)').setMinValue(1).setMaxValue(4))
    .addAttachmentOption((o) => o.setName('mask').setDescription('White-on-black mask, or the draft painted over'))
    .addStringOption((o) => o.setName('region').setDescription('Where to repaint').addChoices(...REGION_NAMES.slice(0, 25).map((r) => ({ name: r, value: r }))))
    .addStringOption((o) => o.setName('add').setDescription('Things to add').setMaxLength(300))
    .addStringOption((o) => o.setName('more').setDescription('Things to stress').setMaxLength(300))
    .addStringOption((o) => o.setName('less').setDescription('Things to tone down').setMaxLength(300))
    .addStringOption((o) => o.setName('no').setDescription('Things to remove').setMaxLength(300)),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    // Blocked words are refused first, whatever else is wrong with the request.
    const word = (k: string, kind: 'content' | 'negative' = 'content') => ({ text: interaction.options.getString(k), kind });
    const scope = await refuseInChannel(ctx, interaction.guildId, interaction.channel, 'refinement', [word('add'), word('more'), word('less'), word('no', 'negative')]);
    const story = await storyOfChannel(ctx.stories, interaction.channel);
    const parent = await findDraft(ctx, interaction.options.getString('draft'), story?.id);
    const text = (['add', 'more', 'less', 'no'] as const).map((k) => [k, interaction.options.getString(k)] as const).filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`).join('\n');
    const at = await ctx.drafts.locations.of(parent.id);
    const variant = interaction.options.getInteger('variant');
    await refineDraft(
      ctx,
      { userId: interaction.user.id, guildId: interaction.guildId ?? undefined, scope, parent, text, variant: variant === null ? undefined : variant - 1, region: interaction.options.getString('region') ?? undefined, attachment: interaction.options.getAttachment('mask') ?? undefined },
      (view) => postBotMessage(ctx.client, at?.channelId ?? interaction.channelId, view, at?.messageId),
    );
    await interaction.editReply('Your refinement is queued; it will be posted as a reply to the draft.');
  },
};
