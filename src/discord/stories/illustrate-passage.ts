/**
 * `/illustrate` and plain messages in a story thread: the planner splits the passage into scenes,
 * new characters join the CharacterSheet (first description wins), each scene gets its prompt
 * assembled under the style lock and cast, and one draft of 4 variants per scene is queued, each
 * with its own message in the story's thread.
 */
import { addCastMember, type Story } from '../../core/story/story.js';
import type { Scene } from '../../core/story/scene.js';
import { assembleScenePrompt } from '../../core/prompt/prompt-assembly.js';
import { parseWeightedPrompt, plainText } from '../../core/prompt/weighted-prompt.js';
import { variantSeed } from '../../core/random.js';
import { PLAN_LIMITS } from '../../planner/index.js';
import type { BotContext } from '../bot-context.js';
import { newId } from '../drafts/draft-service.js';
import { postBotMessage } from '../drafts/message-post.js';
import { UserError, UserErrorId } from '../user-error.js';

/** CLIP-ish token estimate (the tokenizer lives on the worker side): ~1.3 tokens per word. */
export function estimateTokens(text: string): number {
  const words = plainText(parseWeightedPrompt(text)).split(/[\s,.;:!?]+/).filter(Boolean).length;
  return Math.ceil(words * 1.3) + (text.match(/[,.;:!?]/g)?.length ?? 0);
}

export interface IllustrateResult {
  scenes: Scene[];
  newCharacters: string[];
  notes: string[];
}

export async function illustratePassage(ctx: BotContext, story: Story, passage: string, userId: string): Promise<IllustrateResult> {
  if (passage.trim().length < 3) throw new UserError(UserErrorId.BadInput, 'That passage is empty; write a sentence or two of the story.');
  if (passage.length > PLAN_LIMITS.maxPassageChars) throw new UserError(UserErrorId.BadInput, `Passages can be at most ${PLAN_LIMITS.maxPassageChars} characters; split it in two.`);
  const plan = await ctx.planner.plan({ passage, cast: story.cast });
  let cast = story.cast;
  for (const c of plan.newCharacters) cast = addCastMember(cast, c.name, { description: c.description, addedBy: 'planner' });
  const current: Story = cast === story.cast ? story : { ...story, cast };
  if (current !== story) await ctx.stories.saveStory(current);
  const existing = await ctx.stories.listScenes(story.id);
  const home = current.threadId ?? current.channelId;
  const scenes: Scene[] = [];
  for (const [i, planned] of plan.scenes.entries()) {
    const scene: Scene = { id: newId(), storyId: story.id, index: existing.length + i, ...planned, planner: plan.planner };
    await ctx.stories.saveScene(scene);
    scenes.push(scene);
    const assembled = assembleScenePrompt(
      { scenePrompt: scene.prompt, characters: scene.characters, cast: current.cast, style: current.style, sceneNegative: scene.negativePrompt },
      estimateTokens,
    );
    await ctx.drafts.queueDraft(
      {
        userId, guildId: story.guildId, story: current, scene, prompt: assembled.prompt, negative: assembled.negativePrompt,
        seed: variantSeed(current.style.baseSeed, scene.index),
      },
      (view) => postBotMessage(ctx.client, home, view),
    );
  }
  return { scenes, newCharacters: plan.newCharacters.map((c) => c.name), notes: plan.notes };
}
