/**
 * `/settings`: reads and changes the server defaults. The command is hidden from non-admins by its
 * default member permissions, and checked again here (servers can override command permissions).
 */
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { BudgetQuality } from '../../core/budget/budget-rule.js';
import type { BotContext } from '../bot-context.js';
import { UserError, UserErrorId } from '../user-error.js';
import { readGuildSettings, writeGuildSettings } from './guild-settings.js';

export async function updateGuildSettings(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  if (!interaction.guildId || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserError(UserErrorId.NotAdmin, 'Only members with Manage Server can change the server defaults.');
  }
  const current = await readGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId);
  const size = interaction.options.getInteger('size');
  if (size !== null && size % 8 !== 0) throw new UserError(UserErrorId.BadInput, `${size} is not a multiple of 8; try ${size - (size % 8)}.`);
  const next = {
    quorum: interaction.options.getInteger('quorum') ?? current.quorum,
    deadlineMinutes: interaction.options.getInteger('deadline') ?? current.deadlineMinutes,
    quality: (interaction.options.getString('quality') as BudgetQuality | null) ?? current.quality,
    size: size ?? current.size,
  };
  await writeGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId, next);
  return `Defaults for new stories: votes close at ${next.quorum} voters or after ${next.deadlineMinutes} min; quality ${next.quality ?? ctx.config.BUDGET_QUALITY}; size ${next.size ?? `${ctx.config.RENDER_WIDTH}x${ctx.config.RENDER_HEIGHT}`}.`;
}
