/**
 * A Scene is one picture's worth of a passage: who is there, what they do, where, in what mood and
 * from what distance, with the weighted prompt the planner wrote for it. `passage` keeps the span of
 * the original text it came from, so the bot can quote it under the panel.
 */
import { z } from 'zod';
import { panelSchema } from './draft.js';

export const passageSpanSchema = z.object({
  /** Character offsets into the passage as posted: text === passage.slice(start, end). */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string().max(20_000),
});
export type PassageSpan = z.infer<typeof passageSpanSchema>;

export const sceneSchema = z.object({
  id: z.string().min(1).max(100),
  storyId: z.string().min(1).max(100),
  /** Position in the story, from 0. */
  index: z.number().int().nonnegative(),
  passage: passageSpanSchema,
  characters: z.array(z.string().max(80)).max(20),
  action: z.string().max(500),
  setting: z.string().max(500),
  mood: z.string().max(200),
  shot: z.string().max(200),
  /** Weighted prompt for the scene itself, before the style and cast are added. */
  prompt: z.string().max(2000),
  negativePrompt: z.string().max(1000),
  planner: z.enum(['llm', 'offline']),
  /** The variant the group chose, once a vote has closed. */
  panel: panelSchema.optional(),
});
export type Scene = z.infer<typeof sceneSchema>;
