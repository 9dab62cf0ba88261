/**
 * `/settings`: reads and changes the server defaults and content controls. The command is hidden from
 * non-admins by its default member permissions, and checked again here (servers can override command
 * permissions). The answer is private, so listing the blocked words shows them only to the admin.
 */
import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { BudgetQuality } from '../../core/budget/budget-rule.js';
import { editBlocklist, mayTurnOffSafetyChecker } from '../../core/content/content-policy.js';
import type { BotContext } from '../bot-context.js';
import { isAgeRestricted } from '../content/content-scope.js';
import { UserError, UserErrorId } from '../user-error.js';
import { readGuildSettings, writeGuildSettings, type GuildSettings } from './guild-settings.js';

/** The option names commands/settings.ts declares for the content controls. */
export const SETTINGS_OPTIONS = { add: 'blocklist-add', remove: 'blocklist-remove', show: 'blocklist-show', safety: 'safety-checker' } as const;

/** Longest text accepted in blocklist-add / blocklist-remove (several terms, comma-separated). */
export const MAX_BLOCKLIST_OPTION_CHARS = 1000;

function quoted(terms: readonly string[]): string {
  return terms.map((t) => `"${t}"`).join(', ');
}

/** The content-control lines of the answer: the list's size and changes, its problems, the checker. */
function contentLines(next: GuildSettings, edit: ReturnType<typeof editBlocklist> | undefined, show: boolean): string[] {
  const lines = [`Blocked words and phrases: ${next.blocklist.length}.`];
  if (edit?.added.length) lines.push(`Added ${quoted(edit.added)}.`);
  if (edit?.removed.length) lines.push(`Removed ${quoted(edit.removed)}.`);
  if (edit?.problems.length) lines.push(...edit.problems);
  if (show) lines.push(next.blocklist.length > 0 ? `The list: ${quoted(next.blocklist)}`.slice(0, 1500) : 'The list is empty.');
  lines.push(next.safetyCheckerOffInAgeRestricted
    ? "The safety checker is off in this server's age-restricted channels and on everywhere else."
    : 'The safety checker is on (when the model has one).');
  return lines;
}

export async function updateGuildSettings(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  if (!interaction.guildId || !interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserError(UserErrorId.NotAdmin, 'Only members with Manage Server can change the server defaults.');
  }
  const current = await readGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId);
  const size = interaction.options.getInteger('size');
  if (size !== null && size % 8 !== 0) throw new UserError(UserErrorId.BadInput, `${size} is not a multiple of 8; try ${size - (size % 8)}.`);
  const add = interaction.options.getString(SETTINGS_OPTIONS.add) ?? '';
  const remove = interaction.options.getString(SETTINGS_OPTIONS.remove) ?? '';
  // Discord enforces the options' max length, but a modified client need not.
  if (add.length > MAX_BLOCKLIST_OPTION_CHARS || remove.length > MAX_BLOCKLIST_OPTION_CHARS) {
    throw new UserError(UserErrorId.BadInput, `Give at most ${MAX_BLOCKLIST_OPTION_CHARS} characters of words at a time; split the list.`);
  }
  const safety = interaction.options.getString(SETTINGS_OPTIONS.safety);
  if (safety === 'off' && !mayTurnOffSafetyChecker(isAgeRestricted(interaction.channel))) {
    throw new UserError(
      UserErrorId.WrongChannel,
      'The safety checker can be turned off only from an age-restricted channel, and only for those channels; run this there. Nothing was changed.',
    );
  }
  const edit = add || remove ? editBlocklist(current.blocklist, add, remove) : undefined;
  const next: GuildSettings = {
    quorum: interaction.options.getInteger('quorum') ?? current.quorum,
    deadlineMinutes: interaction.options.getInteger('deadline') ?? current.deadlineMinutes,
    quality: (interaction.options.getString('quality') as BudgetQuality | null) ?? current.quality,
    size: size ?? current.size,
    blocklist: edit?.list ?? current.blocklist,
    safetyCheckerOffInAgeRestricted: safety === null ? current.safetyCheckerOffInAgeRestricted : safety === 'off',
  };
  await writeGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId, next);
  ctx.guildSettings.forget(interaction.guildId);
  const defaults = `Defaults for new stories: votes close at ${next.quorum} voters or after ${next.deadlineMinutes} min; quality ${next.quality ?? ctx.config.BUDGET_QUALITY}; size ${next.size ?? `${ctx.config.RENDER_WIDTH}x${ctx.config.RENDER_HEIGHT}`}.`;
  return [defaults, ...contentLines(next, edit, interaction.options.getBoolean(SETTINGS_OPTIONS.show) === true)].join('\n').slice(0, 2000);
}
