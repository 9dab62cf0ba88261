/**
 * Server defaults set by admins with `/settings`: the voting rules new stories start with, the step
 * budget quality, the picture size, and the content controls (the server's blocked words and whether
 * the safety checker is off in its age-restricted channels). Stored as one JSON value per guild in Redis.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BUDGET_QUALITIES } from '../../core/budget/budget-rule.js';
import { BLOCKLIST_LIMITS } from '../../core/content/content-policy.js';

export const guildSettingsSchema = z.object({
  quorum: z.number().int().min(1).max(1000).default(3),
  deadlineMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  quality: z.enum(BUDGET_QUALITIES).optional(),
  size: z.number().int().min(64).max(2048).optional(),
  blocklist: z.array(z.string().min(1).max(BLOCKLIST_LIMITS.maxTermChars)).max(BLOCKLIST_LIMITS.maxTerms).default([]),
  /** The safety checker is off in age-restricted channels (it always runs elsewhere). */
  safetyCheckerOffInAgeRestricted: z.boolean().default(false),
});
export type GuildSettings = z.infer<typeof guildSettingsSchema>;

export async function readGuildSettings(redis: Redis, prefix: string, guildId: string | null): Promise<GuildSettings> {
  const text = guildId ? await redis.get(`${prefix}guild-settings:${guildId}`) : null;
  const parsed = guildSettingsSchema.safeParse(text ? JSON.parse(text) : {});
  return parsed.success ? parsed.data : guildSettingsSchema.parse({});
}

export async function writeGuildSettings(redis: Redis, prefix: string, guildId: string, settings: GuildSettings): Promise<void> {
  await redis.set(`${prefix}guild-settings:${guildId}`, JSON.stringify(guildSettingsSchema.parse(settings)));
}
