/**
 * The INTERACTION_CREATE listener: slash and context-menu commands go to their command module;
 * buttons and modal submits go to the one handler whose parse step claims the custom_id. Unknown
 * commands and custom_ids get an ephemeral sentence, and every failure goes through replyWithError.
 * Each interaction first spends one of the member's rate-limit tokens (rate-limit-check.ts).
 */
import { MessageFlags, type Interaction } from 'discord.js';
import type { BotContext } from '../bot-context.js';
import type { BotCommand, MessageMenuCommand, SlashCommand } from '../command-shape.js';
import { draftButtons } from '../handlers/draft-buttons.js';
import { checkRateLimit } from '../rate-limit-check.js';
import { refineModalHandler } from '../handlers/refine-modal.js';
import { replyWithError } from '../reply-with-error.js';
import { UserError, UserErrorId } from '../user-error.js';

export const UNKNOWN_ACTION = 'That button or form is from an older version of Taleframe or was mistyped; nothing was done.';

export function onInteraction(ctx: BotContext, commands: Map<string, BotCommand>) {
  return async (interaction: Interaction): Promise<void> => {
    if (!interaction.isRepliable()) return;
    try {
      await checkRateLimit(ctx, interaction.guildId, interaction.user.id);
      if (interaction.isChatInputCommand()) {
        const command = commands.get(interaction.commandName) as SlashCommand | undefined;
        if (!command) throw new UserError(UserErrorId.UnknownAction, `I do not know /${interaction.commandName}; the commands may need re-registering.`);
        await command.execute(interaction, ctx);
      } else if (interaction.isMessageContextMenuCommand()) {
        const command = commands.get(interaction.commandName) as MessageMenuCommand | undefined;
        if (!command) throw new UserError(UserErrorId.UnknownAction, `I do not know "${interaction.commandName}".`);
        await command.execute(interaction, ctx);
      } else if (interaction.isButton()) {
        const id = draftButtons.parse(interaction.customId);
        if (!id) throw new UserError(UserErrorId.UnknownAction, UNKNOWN_ACTION);
        await draftButtons.run(interaction, id, ctx);
      } else if (interaction.isModalSubmit()) {
        const id = refineModalHandler.parse(interaction.customId);
        if (!id) throw new UserError(UserErrorId.UnknownAction, UNKNOWN_ACTION);
        await refineModalHandler.run(interaction, id, ctx);
      } else {
        await interaction.reply({ content: UNKNOWN_ACTION, flags: MessageFlags.Ephemeral });
      }
    } catch (error) {
      await replyWithError(interaction, error, ctx.log);
    }
  };
}
