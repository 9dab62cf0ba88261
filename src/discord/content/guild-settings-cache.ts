/**
 * The server settings every request's content check reads, kept in memory for a few seconds. The
 * check runs before a command's first answer, and under a burst each Redis read waited 40-60 ms
 * behind the other members' work (load bench), most of the 250 ms an acknowledgement may take.
 * Settings change rarely: this process forgets a server's copy when its own /settings writes it;
 * another bot process sees a change within `ttlMs` (default 10 s), and the check made where every
 * draft is queued always reads Redis (draft-service.ts), so a draft never renders a newly blocked word.
 */
import type { Redis } from 'ioredis';
import { readGuildSettings, type GuildSettings } from '../stories/guild-settings.js';

const MAX_GUILDS = 5_000;

export class GuildSettingsCache {
  private readonly entries = new Map<string, { settings: Promise<GuildSettings>; readAt: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  /** The settings of `guildId` (the defaults outside a server), at most `ttlMs` old. */
  read(guildId: string | null): Promise<GuildSettings> {
    if (!guildId) return readGuildSettings(this.redis, this.prefix, null);
    const now = (this.options.now ?? Date.now)();
    const entry = this.entries.get(guildId);
    if (entry && now - entry.readAt < (this.options.ttlMs ?? 10_000)) return entry.settings;
    if (this.entries.size >= MAX_GUILDS) this.entries.clear();
    const settings = readGuildSettings(this.redis, this.prefix, guildId);
    this.entries.set(guildId, { settings, readAt: now });
    // A failed read (Redis away) is not remembered: the next request tries again.
    settings.catch(() => this.entries.delete(guildId));
    return settings;
  }

  /** Drops this process's copy of `guildId`'s settings (after writing them). */
  forget(guildId: string): void {
    this.entries.delete(guildId);
  }
}
