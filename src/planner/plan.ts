/**
 * What a planner returns, whichever one ran: the scenes a passage splits into (who, doing what,
 * where, in what mood, from what distance, with a weighted prompt), the characters it met who are not
 * on the story's CharacterSheet yet, which planner produced it and notes on anything it had to decide
 * (a fallback, a capped field). The LLM planner and the offline planner share this shape and these
 * limits, so the rest of Taleframe never needs to know which one ran.
 */
import type { CharacterSheet } from '../core/story/story.js';
import type { PassageSpan } from '../core/story/scene.js';

export type PlannerKind = 'llm' | 'offline';

export interface PlanInput {
  /** The passage as posted. */
  passage: string;
  /** Characters already known, so planners reuse their names instead of inventing new ones. */
  cast?: CharacterSheet;
  /** At most this many scenes (capped at PLAN_LIMITS.maxScenes). */
  maxScenes?: number;
}

export interface PlannedScene {
  passage: PassageSpan;
  characters: string[];
  action: string;
  setting: string;
  mood: string;
  shot: string;
  /** Weighted prompt (A1111 syntax) for the scene itself; style and cast are added at assembly. */
  prompt: string;
  negativePrompt: string;
}

export interface NewCharacter {
  name: string;
  description: string;
}

export interface PlanResult {
  scenes: PlannedScene[];
  newCharacters: NewCharacter[];
  planner: PlannerKind;
  notes: string[];
  /**
   * Set when the planner could not plan the passage and says why, in one sentence for the group
   * (the offline planner given a passage in another language). Then `scenes` is empty.
   */
  notice?: string;
}

export interface Planner {
  readonly kind: PlannerKind;
  plan(input: PlanInput, signal?: AbortSignal): Promise<PlanResult>;
}

/** Bounds every plan is held to, whoever wrote it. */
export const PLAN_LIMITS = {
  maxScenes: 6,
  maxPassageChars: 12_000,
  maxCharactersPerScene: 8,
  maxNewCharacters: 8,
  maxNameChars: 40,
  maxDescriptionChars: 200,
  maxFieldChars: 160,
  maxPromptChars: 400,
  maxNegativeChars: 200,
} as const;

/** Cuts text to `max` characters at a word boundary where one is near, collapsing whitespace. */
export function capText(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:(\[]+$/, '').trim();
}

/** How many scenes a request may have. */
export function sceneCap(input: PlanInput): number {
  const wanted = input.maxScenes ?? PLAN_LIMITS.maxScenes;
  return Math.max(1, Math.min(PLAN_LIMITS.maxScenes, Math.floor(wanted)));
}
