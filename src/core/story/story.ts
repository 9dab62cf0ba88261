/**
 * A Story is one illustrated tale told in one Discord channel or thread. It holds what must stay the
 * same from panel to panel: the StyleLock (style words, negative defaults, base seed, render settings)
 * and the CharacterSheet (how each character looks), plus the voting rules the group agreed on.
 * Scenes, drafts and panels are stored beside it, keyed by their own ids, so that many members can
 * add to a story at once without rewriting one large record.
 */
import { z } from 'zod';
import { SCHEDULER_NAMES } from '../schedulers/config.js';

/** Scheduler names as in ARCHITECTURE.md; the scheduler modules own their behaviour. */
export const schedulerNameSchema = z.enum(SCHEDULER_NAMES);

export const styleLockSchema = z.object({
  /** Style words appended to every scene prompt ("watercolour, soft light, storybook"). */
  style: z.string().max(1000),
  /** Negative prompt defaults for every panel. */
  negative: z.string().max(1000),
  /** Seed the story's drafts derive from, so re-rendering a scene reproduces it. */
  baseSeed: z.number().int().min(0).max(2 ** 32 - 1),
  model: z.string().max(200).optional(),
  scheduler: schedulerNameSchema.optional(),
  guidance: z.number().min(0).max(30).optional(),
  width: z.number().int().min(64).max(2048),
  height: z.number().int().min(64).max(2048),
});
export type StyleLock = z.infer<typeof styleLockSchema>;

export const castMemberSchema = z.object({
  /** What the character looks like; repeated in every prompt they appear in. */
  description: z.string().max(500),
  /** Blob key of a panel that shows the character, for reference-guided renders. */
  referencePanelKey: z.string().max(200).optional(),
  /** Discord user id of the member who added the character ('planner' for the planners). */
  addedBy: z.string().max(100),
});
export type CastMember = z.infer<typeof castMemberSchema>;

/** Character name -> how they look. Names are matched without regard to case. */
export const characterSheetSchema = z.record(z.string().min(1).max(80), castMemberSchema);
export type CharacterSheet = z.infer<typeof characterSheetSchema>;

export const votingRulesSchema = z.object({
  /** Distinct voters needed to close a vote early. */
  quorum: z.number().int().min(1).max(1000),
  /** Minutes after opening at which a vote closes whatever the count. */
  deadlineMinutes: z.number().int().min(1).max(7 * 24 * 60),
});
export type VotingRules = z.infer<typeof votingRulesSchema>;

export const storySchema = z.object({
  id: z.string().min(1).max(100),
  title: z.string().min(1).max(200),
  ownerId: z.string().min(1).max(100),
  guildId: z.string().min(1).max(100),
  channelId: z.string().min(1).max(100),
  threadId: z.string().min(1).max(100).optional(),
  /** The pinned story card's message (in the thread, else the channel), kept current as the story changes. */
  cardMessageId: z.string().min(1).max(100).optional(),
  /** Milliseconds since the epoch. */
  createdAt: z.number().int().nonnegative(),
  /** When the story was ended (ms since the epoch); an ended story takes no new passages. */
  ended: z.number().int().nonnegative().optional(),
  style: styleLockSchema,
  cast: characterSheetSchema,
  voting: votingRulesSchema,
});
export type Story = z.infer<typeof storySchema>;

/**
 * Finds a character by name, ignoring case and surrounding spaces; returns the name as the sheet
 * spells it, with the entry.
 */
export function findCastMember(cast: CharacterSheet, name: string): { name: string; member: CastMember } | undefined {
  const wanted = name.trim().toLowerCase();
  for (const [key, member] of Object.entries(cast)) {
    if (key.toLowerCase() === wanted) return { name: key, member };
  }
  return undefined;
}

/**
 * Returns a new sheet with the character added. A character already on the sheet keeps its entry:
 * the first description wins so that a later passage cannot silently change how someone looks.
 */
export function addCastMember(cast: CharacterSheet, name: string, member: CastMember): CharacterSheet {
  if (findCastMember(cast, name)) return cast;
  return { ...cast, [name.trim()]: member };
}
