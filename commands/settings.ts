// /settings — server defaults for new stories and the content controls (admins only: Manage Server).
import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { BUDGET_QUALITIES } from '../src/core/budget/budget-rule.js';
import type { BotContext } from '../src/discord/bot-context.js';
import { MAX_BLOCKLIST_OPTION_CHARS, SETTINGS_OPTIONS, updateGuildSettings } from '../src/discord/stories/settings-command.js';

export default {
  data: new SlashCommandBuilder()
    .setName('settings')
    .setDescription('Server defaults for new stories, blocked words and the safety checker')
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addIntegerOption((o) => o.setName('quorum').setDescription('Voters that close a vote').setMinValue(1).setMaxValue(100))
    .addIntegerOption((o) => o.setName('deadline').setDescription('Minutes a vote stays open').setMinValue(1).setMaxValue(10080))
    .addStringOption((o) => o.setName('quality').setDescription('Step budget quality').addChoices(...BUDGET_QUALITIES.map((q) => ({ name: q, value: q }))))
    .addIntegerOption((o) => o.setName('size').setDescription('Picture size in pixels (multiple of 8)').setMinValue(64).setMaxValue(1024))
    .addStringOption((o) => o.setName(SETTINGS_OPTIONS.add).setDescription('Words or phrases to block, separated by commas').setMaxLength(MAX_BLOCKLIST_OPTION_CHARS))
    .addStringOption((o) => o.setName(SETTINGS_OPTIONS.remove).setDescription('Blocked words or phrases to allow again, separated by commas').setMaxLength(MAX_BLOCKLIST_OPTION_CHARS))
    .addBooleanOption((o) => o.setName(SETTINGS_OPTIONS.show).setDescription('Show the blocked words (only to you)'))
    .addStringOption((o) =>
      o.setName(SETTINGS_OPTIONS.safety).setDescription('Safety checker in age-restricted channels (run this there)').addChoices({ name: 'on', value: 'on' }, { name: 'off', value: 'off' })),
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.editReply(await updateGuildSettings(interaction, ctx));
  },
};
