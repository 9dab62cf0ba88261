/**
 * `/draw`: one draft of 4 variants from a member's own prompt. The prompt is read with the weighted
 * prompt parser (A1111 / Compel / Midjourney `--no`, `--seed`, `--ar`); the draft message is the reply
 * itself, later edited with the bot token. In a story thread the draft belongs to the story (its
 * queue lane and picture size) but not to a scene. An attached picture is the starting point (img2img).
 */
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { BudgetQuality } from '../../core/budget/budget-rule.js';
import { parseWeightedPrompt } from '../../core/prompt/weighted-prompt.js';
import type { BotContext } from '../bot-context.js';
import { storyOfChannel } from '../stories/story-access.js';
import { UserError, UserErrorId } from '../user-error.js';
import { startingPicture } from './starting-picture.js';

/** The /draw option limits (commands/draw.ts declares the same to Discord). */
export const MAX_PROMPT_CHARS = 1000;
export const MAX_NEGATIVE_CHARS = 500;

export async function drawDraft(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const prompt = interaction.options.getString('prompt', true).trim();
  // Discord enforces the options' max lengths, but a modified client need not: check here too.
  const negativeText = interaction.options.getString('negative') ?? '';
  if (prompt.length > MAX_PROMPT_CHARS) throw new UserError(UserErrorId.BadInput, `Prompts can be at most ${MAX_PROMPT_CHARS} characters (this one has ${prompt.length}); shorten it.`);
  if (negativeText.length > MAX_NEGATIVE_CHARS) throw new UserError(UserErrorId.BadInput, `The negative prompt can be at most ${MAX_NEGATIVE_CHARS} characters; shorten it.`);
  const parsed = parseWeightedPrompt(prompt);
  if (parsed.chunks.every((c) => c.length === 0)) throw new UserError(UserErrorId.BadInput, 'The prompt is empty once its options are removed; describe what to draw.');
  const negative = [negativeText, parsed.negative].filter(Boolean).join(', ');
  const story = await storyOfChannel(ctx.stories, interaction.channel);
  const live = story && story.ended === undefined ? story : undefined;
  const quality = interaction.options.getString('quality') as BudgetQuality | null;
  const start = await startingPicture(ctx, interaction.options.getAttachment('image'), interaction.options.getNumber('strength'));
  await ctx.drafts.queueDraft(
    {
      userId: interaction.user.id,
      guildId: interaction.guildId ?? undefined,
      story: live,
      prompt,
      negative,
      seed: interaction.options.getInteger('seed') ?? parsed.options.seed,
      steps: interaction.options.getInteger('steps') ?? undefined,
      quality: quality ?? undefined,
      // A starting picture outside a story brings its own shape; a story keeps its picture size.
      aspectRatio: parsed.options.aspectRatio ?? (live ? undefined : start?.shape),
      answersRequester: true,
      init: start?.init,
    },
    (view) => interaction.editReply(view),
  );
  const notes = [...parsed.warnings];
  if (parsed.options.chaos !== undefined) notes.push('--chaos is not supported yet: the four drafts differ by their seeds.');
  if (notes.length > 0) await interaction.followUp({ content: `Note: ${notes.join(' ')}`, flags: MessageFlags.Ephemeral }).catch(() => {});
}
