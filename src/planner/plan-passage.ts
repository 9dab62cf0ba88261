/**
 * From a passage to renderable scenes: runs the planner, adds the characters it met for the first
 * time to the story's CharacterSheet (their first description sticks, so they look the same in every
 * later panel), and assembles each scene's final prompt under the story's style lock. Shared by the
 * illustrate CLI and the bot's /illustrate so both render exactly the same prompts.
 */
import { assembleScenePrompt, type CountTokens } from '../core/prompt/prompt-assembly.js';
import { addCastMember, type CharacterSheet, type StyleLock } from '../core/story/story.js';
import type { PlannedScene, Planner, PlannerKind } from './plan.js';

export interface ScenePlan {
  scene: PlannedScene;
  /** The prompt the scene is rendered with: scene + characters present + style. */
  prompt: string;
  negativePrompt: string;
  notes: string[];
}

export interface PassagePlan {
  scenes: ScenePlan[];
  /** The cast after this passage: the old sheet plus newly met characters. */
  cast: CharacterSheet;
  addedCharacters: string[];
  planner: PlannerKind;
  notes: string[];
  /** The planner's one sentence for the group when it planned nothing (a passage it cannot read). */
  notice?: string;
}

export interface PassageContext {
  passage: string;
  style: Pick<StyleLock, 'style' | 'negative'>;
  cast: CharacterSheet;
  maxScenes?: number;
}

export async function planPassage(planner: Planner, context: PassageContext, countTokens: CountTokens, signal?: AbortSignal): Promise<PassagePlan> {
  const plan = await planner.plan({ passage: context.passage, cast: context.cast, maxScenes: context.maxScenes }, signal);
  let cast = context.cast;
  const addedCharacters: string[] = [];
  for (const character of plan.newCharacters) {
    const next = addCastMember(cast, character.name, { description: character.description, addedBy: 'planner' });
    if (next !== cast) addedCharacters.push(character.name);
    cast = next;
  }
  const scenes = plan.scenes.map((scene) => {
    const assembled = assembleScenePrompt(
      { scenePrompt: scene.prompt, characters: scene.characters, cast, style: context.style, sceneNegative: scene.negativePrompt },
      countTokens,
    );
    return { scene, prompt: assembled.prompt, negativePrompt: assembled.negativePrompt, notes: assembled.notes };
  });
  return { scenes, cast, addedCharacters, planner: plan.planner, notes: plan.notes, notice: plan.notice };
}
