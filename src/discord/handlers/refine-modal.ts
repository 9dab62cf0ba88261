/**
 * The Refine modal (custom_id prefix `refine`): which variant and what to change, as instruction
 * lines. Opened by the Refine button and the "Refine draft" context-menu command; on submit the
 * refinement is queued and posted as a reply to the draft. Modals cannot carry files: masks come by
 * replying to the draft or through /refine.
 */
import { draftHere } from '../drafts/draft-access.js';
import { ActionRowBuilder, MessageFlags, ModalBuilder, TextInputBuilder, TextInputStyle, type ModalSubmitInteraction } from 'discord.js';
import type { BotContext } from '../bot-context.js';
import { postBotMessage } from '../drafts/message-post.js';
import { refineDraft } from '../refine/refine-draft.js';
import { contentScope } from '../content/content-scope.js';
import { UserError, UserErrorId } from '../user-error.js';
import { parseRefineModalId, REFINE_FIELD_TEXT, REFINE_FIELD_VARIANT, refineModalId } from './refine-modal-id.js';

export function refineModal(draftId: string, variant?: number): ModalBuilder {
  return new ModalBuilder()
    .setCustomId(refineModalId(draftId, variant))
    .setTitle('Refine draft')
    .addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder().setCustomId(REFINE_FIELD_VARIANT).setLabel('Picture (1-4)').setStyle(TextInputStyle.Short).setRequired(false).setMaxLength(1).setValue(String((variant ?? 0) + 1)),
      ),
      new ActionRowBuilder<TextInputBuilder>().addComponents(
        new TextInputBuilder()
          .setCustomId(REFINE_FIELD_TEXT)
          .setLabel('What to change, one per line')
          .setStyle(TextInputStyle.Paragraph)
          .setPlaceholder('no: people, text\nmore: dragon\nadd: a red kite\nregion: top left')
          .setMaxLength(1000)
          .setRequired(true),
      ),
    );
}

export const refineModalHandler = {
  parse: parseRefineModalId,
  async run(interaction: ModalSubmitInteraction, id: { draftId: string; variant?: number }, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const parent = await draftHere(ctx, id.draftId, interaction.guildId);
    const raw = interaction.fields.getTextInputValue(REFINE_FIELD_VARIANT).trim();
    if (raw !== '' && !/^[1-4]$/.test(raw)) throw new UserError(UserErrorId.BadInput, `"${raw}" is not a picture number; use 1, 2, 3 or 4.`);
    const at = await ctx.drafts.locations.of(parent.id);
    const channelId = at?.channelId ?? interaction.channelId;
    if (!channelId) throw new UserError(UserErrorId.WrongChannel, 'I cannot find where that draft was posted.');
    await refineDraft(
      ctx,
      { userId: interaction.user.id, guildId: interaction.guildId ?? undefined, scope: await contentScope(ctx, interaction.guildId, interaction.channel), parent, text: interaction.fields.getTextInputValue(REFINE_FIELD_TEXT), variant: raw === '' ? id.variant : Number(raw) - 1 },
      (view) => postBotMessage(ctx.client, channelId, view, at?.messageId),
    );
    await interaction.editReply({ content: 'Your refinement is queued; it will be posted as a reply to the draft.' });
  },
};
