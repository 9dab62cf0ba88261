// Message context menu "Refine draft" — opens the Refine modal for the draft message (no privileged intent needed).
import { ApplicationCommandType, ContextMenuCommandBuilder, type MessageContextMenuCommandInteraction } from 'discord.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { refineModal } from '../src/discord/handlers/refine-modal.js';
import { UserError, UserErrorId } from '../src/discord/user-error.js';

export default {
  data: new ContextMenuCommandBuilder().setName('Refine draft').setType(ApplicationCommandType.Message),
  async execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void> {
    const draftId = await ctx.drafts.locations.draftOfMessage(interaction.targetMessage.id);
    if (!draftId) throw new UserError(UserErrorId.NoSuchDraft, 'That message is not a Taleframe draft; use this on a draft with pictures.');
    await interaction.showModal(refineModal(draftId));
  },
};
