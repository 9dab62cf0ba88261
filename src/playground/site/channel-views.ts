/**
 * The sidebar's list: the server's text channels and, under each, its threads (a story's thread is
 * where its passages, drafts and votes happen).
 */
import type { FakeDiscord } from '../discord-server/index.js';
import type { ChannelView } from './view-types.js';

export function channelViews(discord: FakeDiscord): ChannelView[] {
  const guild = discord.guild();
  const texts = [...guild.channelIds].map(([name, id]) => ({ id, name }));
  const threads = discord.threads()
    .filter((t) => t.guild_id === guild.id)
    .map((t) => ({ id: t.id, name: t.name ?? 'thread', parentId: t.parent_id ?? undefined }));
  return [...texts, ...threads];
}
