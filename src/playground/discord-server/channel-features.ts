/**
 * Threads, pins and reactions: the channel features a story bot leans on (a story gets its own thread,
 * the chosen panel is pinned, votes are reactions). Each change updates the store and dispatches the
 * gateway events Discord sends for it (THREAD_CREATE, CHANNEL_PINS_UPDATE, MESSAGE_REACTION_ADD/REMOVE).
 */
import type { APIUser } from 'discord.js';
import { DiscordApiFault, Faults } from './http-io.js';
import type { Dispatch, MessageRecord, MessageStore, ReactionRecord } from './message-store.js';
import { isThread, type FakeChannel, type FakeUser, type FakeWorld } from './world.js';

export interface ThreadInput {
  name?: string;
  type?: number;
  auto_archive_duration?: number;
  invitable?: boolean;
  rate_limit_per_user?: number;
}

export class ChannelFeatures {
  constructor(private readonly world: FakeWorld, private readonly store: MessageStore, private readonly dispatch: Dispatch) {}

  /** Creates a thread in `parentId`; with `starter` the thread hangs off that message and takes its id. */
  createThread(parentId: string, owner: FakeUser, input: ThreadInput, starter?: MessageRecord): FakeChannel {
    const parent = this.world.channels.get(parentId);
    if (!parent || isThread(parent)) throw Faults.unknownChannel();
    if (!input.name || input.name.length > 100) {
      throw Faults.invalidForm('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (starter?.api.thread) throw new DiscordApiFault(400, 160004, 'A thread has already been created for this message');
    const now = this.world.clock.iso();
    const type = starter ? 11 : (input.type ?? 12);
    const id = starter ? starter.api.id : this.world.ids.next();
    const thread = {
      id, type, guild_id: parent.guild_id, parent_id: parentId, owner_id: owner.id, name: input.name,
      last_message_id: null, rate_limit_per_user: input.rate_limit_per_user ?? 0, flags: 0, message_count: 0,
      member_count: 1, total_message_sent: 0,
      thread_metadata: {
        archived: false, auto_archive_duration: input.auto_archive_duration ?? 4320, archive_timestamp: now,
        locked: false, create_timestamp: now, ...(type === 12 ? { invitable: input.invitable ?? true } : {}),
      },
      member: { id, user_id: owner.id, join_timestamp: now, flags: 0 },
    } as unknown as FakeChannel;
    this.world.channels.set(id, thread);
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    if (starter) {
      starter.api.thread = thread;
      starter.api.flags = (starter.api.flags ?? 0) | (1 << 5); // HAS_THREAD
      this.dispatch('MESSAGE_UPDATE', this.store.gatewayMessage(starter));
    } else if (type === 11) {
      this.store.create(parentId, owner, { content: input.name }, [], {
        type: 18, message_reference: { type: 0, channel_id: id, guild_id: parent.guild_id },
      });
    }
    return thread;
  }

  threads(): FakeChannel[] {
    return [...this.world.channels.values()].filter(isThread);
  }

  pin(record: MessageRecord, by: FakeUser): void {
    if (record.api.pinned) return;
    record.api.pinned = true;
    record.pinnedAt = this.world.clock.iso();
    const channelId = record.api.channel_id;
    const guildId = this.world.channels.get(channelId)?.guild_id;
    this.dispatch('MESSAGE_UPDATE', this.store.gatewayMessage(record));
    this.dispatch('CHANNEL_PINS_UPDATE', { channel_id: channelId, last_pin_timestamp: record.pinnedAt, ...(guildId ? { guild_id: guildId } : {}) });
    this.store.create(channelId, by, {}, [], {
      type: 6, message_reference: { type: 0, message_id: record.api.id, channel_id: channelId, guild_id: guildId },
    }, true);
  }

  unpin(record: MessageRecord): void {
    if (!record.api.pinned) return;
    record.api.pinned = false;
    delete record.pinnedAt;
    const channelId = record.api.channel_id;
    const guildId = this.world.channels.get(channelId)?.guild_id;
    this.dispatch('MESSAGE_UPDATE', this.store.gatewayMessage(record));
    const last = this.pins(channelId)[0]?.pinnedAt ?? null;
    this.dispatch('CHANNEL_PINS_UPDATE', { channel_id: channelId, last_pin_timestamp: last, ...(guildId ? { guild_id: guildId } : {}) });
  }

  /** Pinned messages of a channel, most recently pinned first. */
  pins(channelId: string): MessageRecord[] {
    return this.store.list(channelId).filter((r) => r.api.pinned).sort((a, b) => (b.pinnedAt ?? '').localeCompare(a.pinnedAt ?? ''));
  }

  /** Adds `user`'s reaction; returns false when it was already there. */
  react(record: MessageRecord, user: FakeUser, emoji: string): boolean {
    const parsed = parseEmoji(emoji);
    let reaction = record.reactions.find((r) => r.key === parsed.key);
    if (!reaction) {
      reaction = { key: parsed.key, emoji: parsed.emoji, users: [] };
      record.reactions.push(reaction);
    }
    if (reaction.users.includes(user.id)) return false;
    reaction.users.push(user.id);
    const guildId = this.world.channels.get(record.api.channel_id)?.guild_id;
    this.dispatch('MESSAGE_REACTION_ADD', {
      user_id: user.id, channel_id: record.api.channel_id, message_id: record.api.id, emoji: reaction.emoji,
      message_author_id: record.api.author.id, burst: false, burst_colors: [], type: 0,
      ...(guildId ? { guild_id: guildId, member: this.world.member(guildId, user) } : {}),
    });
    return true;
  }

  unreact(record: MessageRecord, user: FakeUser, emoji: string): boolean {
    const { key } = parseEmoji(emoji);
    const reaction = record.reactions.find((r) => r.key === key);
    if (!reaction?.users.includes(user.id)) return false;
    reaction.users = reaction.users.filter((id) => id !== user.id);
    if (reaction.users.length === 0) record.reactions = record.reactions.filter((r) => r !== reaction);
    const guildId = this.world.channels.get(record.api.channel_id)?.guild_id;
    this.dispatch('MESSAGE_REACTION_REMOVE', {
      user_id: user.id, channel_id: record.api.channel_id, message_id: record.api.id, emoji: reaction.emoji,
      burst: false, type: 0, ...(guildId ? { guild_id: guildId } : {}),
    });
    return true;
  }

  /** Users who reacted with `emoji`, in reaction order, paged like GET .../reactions/{emoji}. */
  reactionUsers(record: MessageRecord, emoji: string, after?: string, limit = 25): APIUser[] {
    const reaction: ReactionRecord | undefined = record.reactions.find((r) => r.key === parseEmoji(emoji).key);
    const ids = (reaction?.users ?? []).filter((id) => after === undefined || BigInt(id) > BigInt(after));
    return ids.slice(0, Math.min(Math.max(limit, 1), 100)).map((id) => this.world.userById(id)!.api);
  }
}

/** Parses a unicode emoji, `name:id`, `a:name:id` or `<:name:id>` into its key and wire object. */
export function parseEmoji(raw: string): { key: string; emoji: ReactionRecord['emoji'] } {
  const text = decodeURIComponent(raw).replace(/^<|>$/g, '');
  const custom = /^(a:)?([\w~-]+):(\d+)$/.exec(text);
  if (custom) {
    const emoji: ReactionRecord['emoji'] = { id: custom[3], name: custom[2] };
    if (custom[1]) emoji.animated = true;
    return { key: custom[3], emoji };
  }
  if (!text) throw Faults.unknownEmoji();
  return { key: text, emoji: { id: null, name: text } };
}
