/**
 * `/illustrate` and plain messages in a story thread: the planner splits the passage into scenes,
 * new characters join the CharacterSheet (first description wins), each scene gets its prompt
 * assembled under the style lock and cast, and one draft of 4 variants per scene is queued, each
 * with its own message in the story's thread (drawn over a starting picture when one was attached).
 */
import type { Story } from '../../core/story/story.js';
import type { Scene } from '../../core/story/scene.js';
import { variantSeed } from '../../core/random.js';
import type { ContentScope } from '../../core/content/content-policy.js';
import { PLAN_LIMITS, type PlannerKind } from '../../planner/index.js';
import { planPassage } from '../../planner/plan-passage.js';
import type { BotContext } from '../bot-context.js';
import { newId } from '../drafts/draft-service.js';
import { postBotMessage } from '../drafts/message-post.js';
import { refuseBlockedText } from '../content/content-scope.js';
import { UserError, UserErrorId } from '../user-error.js';

export interface IllustrateResult {
  scenes: Scene[];
  newCharacters: string[];
  planner: PlannerKind;
  notes: string[];
}

/**
 * What the group is told after a passage is planned: how many scenes, which planner ran (and why,
 * when the LLM planner fell back to the offline one), and who joined the cast.
 * @example planSummary(result) // "🗺️ 3 scenes planned by the offline planner; drafts are queued below. New characters: Fox."
 */
export function planSummary(result: IllustrateResult): string {
  const n = result.scenes.length;
  const cast = result.newCharacters.length > 0 ? ` New characters: ${result.newCharacters.join(', ')}.` : '';
  const notes = result.notes.length > 0 ? `\n-# ${result.notes.join(' ').slice(0, 300)}` : '';
  return `🗺️ ${n} scene${n === 1 ? '' : 's'} planned by the ${result.planner === 'llm' ? 'LLM' : 'offline'} planner; drafts are queued below.${cast}${notes}`;
}

/**
 * The longest passage the bot plans: Discord's own limit for a message or an option (4000). The
 * offline planner runs in the bot's planner threads (PlannerPool), and a longer text would hold a
 * thread, and every passage queued behind it, for longer.
 */
export const MAX_PASSAGE_CHARS = Math.min(4000, PLAN_LIMITS.maxPassageChars);

/**
 * Plans `passage` and queues its drafts. `scope` holds the channel's content rules: the passage is
 * checked before planning and every planned prompt (style, cast and the planner's own words) before
 * anything is queued, so a refusal leaves the story as it was.
 */
export async function illustratePassage(ctx: BotContext, story: Story, passage: string, userId: string, scope: ContentScope, init?: { key: string; strength: number }): Promise<IllustrateResult> {
  // Spaces and invisible characters (zero-width spaces, direction marks) do not make a passage.
  if (passage.replace(/[\s\p{Cf}]/gu, '').length < 3) throw new UserError(UserErrorId.BadInput, 'That passage is empty; write a sentence or two of the story.');
  if (passage.length > MAX_PASSAGE_CHARS) throw new UserError(UserErrorId.BadInput, `Passages can be at most ${MAX_PASSAGE_CHARS} characters; split it in two.`);
  refuseBlockedText(scope, 'passage', [{ text: passage }]);
  const plan = await planPassage(ctx.planner, { passage, style: story.style, cast: story.cast }, ctx.countTokens);
  // Nothing to draw (a passage the offline planner cannot read): say why, change nothing.
  if (plan.scenes.length === 0) throw new UserError(UserErrorId.BadInput, plan.notice ?? 'I found nothing to draw in that passage; write a sentence or two of what happens.');
  refuseBlockedText(scope, 'passage', plan.scenes.flatMap((s) => [{ text: s.prompt }, { text: s.negativePrompt, kind: 'negative' as const }]));
  const current: Story = plan.addedCharacters.length > 0 ? { ...story, cast: plan.cast } : story;
  if (current !== story) await ctx.stories.saveStory(current);
  const existing = await ctx.stories.listScenes(story.id);
  const home = current.threadId ?? current.channelId;
  const scenes: Scene[] = [];
  for (const [i, planned] of plan.scenes.entries()) {
    const scene: Scene = { id: newId(), storyId: story.id, index: existing.length + i, ...planned.scene, planner: plan.planner };
    await ctx.stories.saveScene(scene);
    scenes.push(scene);
    await ctx.drafts.queueDraft(
      {
        userId, guildId: story.guildId, story: current, scene, prompt: planned.prompt, negative: planned.negativePrompt,
        seed: variantSeed(current.style.baseSeed, scene.index),
        init,
      },
      (view) => postBotMessage(ctx.client, home, view),
    );
  }
  await ctx.cards.refresh(story.id);
  return { scenes, newCharacters: plan.addedCharacters, planner: plan.planner, notes: plan.notes };
}
