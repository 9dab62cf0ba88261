/**
 * The fake Discord's cast and places: the bot user and its application, named test users, guilds with
 * roles, text channels and threads, and the wire objects (users, members, roles, channels, GUILD_CREATE)
 * that Discord would send for them. Every user is a member of every guild, so interactions and messages can
 * carry member data without extra setup.
 */
import type { APIChannel, APIGuildMember, APIRole, APIUser, GuildMemberFlags, RoleFlags } from 'discord.js';
import { FakeClock, SnowflakeSource } from './clock.js';

/** Permission bits (Discord's values) used to build realistic permission strings. */
export const Permission = {
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
  Administrator: 1n << 3n,
} as const;

const EVERYONE_PERMISSIONS = Permission.AddReactions | Permission.ViewChannel | Permission.SendMessages |
  Permission.EmbedLinks | Permission.AttachFiles | Permission.ReadMessageHistory | Permission.UseExternalEmojis |
  Permission.UseApplicationCommands | Permission.CreatePublicThreads | Permission.SendMessagesInThreads;
const BOT_PERMISSIONS = EVERYONE_PERMISSIONS | Permission.ManageMessages | Permission.ManageThreads |
  Permission.CreatePrivateThreads;

/** One guild to create. Channel names become text channels; `users` are created up front (by name). */
export interface FakeGuildSpec {
  name?: string;
  channels?: string[];
  /** Names (among `channels`) of channels marked age-restricted (NSFW); their threads inherit it. */
  nsfwChannels?: string[];
  users?: string[];
  /** Extra roles, e.g. `{ name: 'Moderator', permissions: Permission.ManageMessages, members: ['mo'] }`. */
  roles?: { name: string; permissions?: bigint; members?: string[] }[];
}

export interface FakeUser {
  readonly id: string;
  readonly name: string;
  readonly api: APIUser;
}

export interface FakeGuild {
  readonly id: string;
  readonly name: string;
  /** Changed only by `FakeWorld.transferOwnership`. */
  ownerId: string;
  readonly roles: APIRole[];
  /** Text channel ids by name. */
  readonly channelIds: Map<string, string>;
  readonly createdAt: string;
  roleMembers: Map<string, Set<string>>;
}

/** Any channel the fake knows: guild text channels and threads, kept as their wire objects. */
export type FakeChannel = APIChannel & { id: string; guild_id?: string; parent_id?: string | null; name?: string };

export class FakeWorld {
  readonly ids: SnowflakeSource;
  readonly bot: FakeUser;
  readonly guilds: FakeGuild[] = [];
  readonly channels = new Map<string, FakeChannel>();
  private readonly usersByName = new Map<string, FakeUser>();
  private readonly usersById = new Map<string, FakeUser>();

  constructor(readonly clock: FakeClock, botName: string, specs: FakeGuildSpec[]) {
    this.ids = new SnowflakeSource(clock);
    this.bot = this.addUser(botName, true);
    for (const spec of specs.length > 0 ? specs : [{}]) this.addGuild(spec);
  }

  get applicationId(): string {
    return this.bot.id; // modern applications share their id with their bot user
  }

  /** The user with this name, created on first use (a member of every guild). */
  user(name: string): FakeUser {
    return this.usersByName.get(name) ?? this.addUser(name, false);
  }

  userById(id: string): FakeUser | undefined {
    return this.usersById.get(id);
  }

  guildById(id: string | undefined): FakeGuild | undefined {
    return this.guilds.find((guild) => guild.id === id);
  }

  /** The id of a text channel by name (first guild that has it), or the first guild's first channel. */
  channelId(name?: string): string {
    for (const guild of this.guilds) {
      const id = name === undefined ? guild.channelIds.values().next().value : guild.channelIds.get(name);
      if (id !== undefined) return id;
    }
    throw new Error(`no text channel named ${JSON.stringify(name)}`);
  }

  member(guildId: string, user: FakeUser): APIGuildMember {
    const guild = this.requireGuild(guildId);
    const roles = [...guild.roleMembers].filter(([, ids]) => ids.has(user.id)).map(([roleId]) => roleId);
    return { user: user.api, roles, joined_at: guild.createdAt, deaf: false, mute: false, flags: 0 as GuildMemberFlags };
  }

  /** The member's permission bitfield as Discord sends it (a decimal string). */
  permissions(guildId: string, user: FakeUser): string {
    const guild = this.requireGuild(guildId);
    if (guild.ownerId === user.id) return ((1n << 53n) - 1n).toString();
    const roleIds = new Set([guild.id, ...this.member(guildId, user).roles]);
    let bits = 0n;
    for (const role of guild.roles) if (roleIds.has(role.id)) bits |= BigInt(role.permissions);
    return bits.toString();
  }

  /** Makes `user` the guild's owner (all permissions), as Discord's ownership transfer does. */
  transferOwnership(guild: FakeGuild, user: FakeUser): void {
    guild.ownerId = user.id;
  }

  requireGuild(guildId: string | undefined): FakeGuild {
    const guild = this.guildById(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    return guild;
  }

  /** The GUILD_CREATE payload for a guild, as a freshly identified bot receives it. */
  guildCreate(guild: FakeGuild): Record<string, unknown> {
    const channels = [...this.channels.values()].filter((c) => c.guild_id === guild.id && !isThread(c));
    const threads = [...this.channels.values()].filter((c) => c.guild_id === guild.id && isThread(c));
    const members = [this.bot, ...this.usersById.values()].filter((u, i, all) => all.indexOf(u) === i);
    return {
      id: guild.id, name: guild.name, icon: null, splash: null, discovery_splash: null, owner_id: guild.ownerId,
      afk_channel_id: null, afk_timeout: 300, verification_level: 0, default_message_notifications: 1,
      explicit_content_filter: 0, roles: guild.roles, emojis: [], stickers: [], features: [], mfa_level: 0,
      application_id: null, system_channel_id: guild.channelIds.values().next().value ?? null,
      system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null, description: null, banner: null,
      premium_tier: 0, premium_subscription_count: 0, preferred_locale: 'en-US', public_updates_channel_id: null,
      nsfw_level: 0, premium_progress_bar_enabled: false, safety_alerts_channel_id: null,
      joined_at: guild.createdAt, large: false, unavailable: false, member_count: members.length,
      voice_states: [], members: members.map((u) => this.member(guild.id, u)), channels: channels.map(stripGuildId),
      threads: threads.map(stripGuildId), presences: [], stage_instances: [], guild_scheduled_events: [],
      soundboard_sounds: [], lazy: true,
    };
  }

  private addUser(name: string, bot: boolean): FakeUser {
    const id = this.ids.next();
    const api: APIUser = { id, username: name.toLowerCase(), discriminator: '0', global_name: bot ? null : name, avatar: null };
    if (bot) api.bot = true;
    const user: FakeUser = { id, name, api };
    this.usersByName.set(name, user);
    this.usersById.set(id, user);
    return user;
  }

  private addGuild(spec: FakeGuildSpec): void {
    const id = this.ids.next();
    const owner = this.user(spec.users?.[0] ?? 'owner');
    for (const name of spec.users ?? []) this.user(name);
    const role = (roleId: string, name: string, permissions: bigint, position: number, managed = false): APIRole => ({
      id: roleId, name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false, position, permissions: permissions.toString(), managed, mentionable: false, flags: 0 as RoleFlags,
      ...(managed ? { tags: { bot_id: this.bot.id } } : {}),
    });
    const botRoleId = this.ids.next();
    const roles = [role(id, '@everyone', EVERYONE_PERMISSIONS, 0), role(botRoleId, this.bot.name, BOT_PERMISSIONS, 1, true)];
    const roleMembers = new Map<string, Set<string>>([[botRoleId, new Set([this.bot.id])]]);
    for (const extra of spec.roles ?? []) {
      const extraId = this.ids.next();
      roles.push(role(extraId, extra.name, EVERYONE_PERMISSIONS | (extra.permissions ?? 0n), roles.length));
      roleMembers.set(extraId, new Set((extra.members ?? []).map((name) => this.user(name).id)));
    }
    const guild: FakeGuild = {
      id, name: spec.name ?? `Guild ${this.guilds.length + 1}`, ownerId: owner.id, roles,
      channelIds: new Map(), createdAt: this.clock.iso(), roleMembers,
    };
    this.guilds.push(guild);
    (spec.channels ?? ['general']).forEach((name, position) => {
      const channelId = this.ids.next();
      guild.channelIds.set(name, channelId);
      this.channels.set(channelId, {
        id: channelId, type: 0, guild_id: id, name, position, permission_overwrites: [], parent_id: null,
        topic: null, nsfw: spec.nsfwChannels?.includes(name) ?? false, last_message_id: null, rate_limit_per_user: 0, flags: 0,
      } as unknown as FakeChannel);
    });
  }
}

export function isThread(channel: { type: number }): boolean {
  return channel.type === 10 || channel.type === 11 || channel.type === 12;
}

function stripGuildId(channel: FakeChannel): Record<string, unknown> {
  const { guild_id: _omit, ...rest } = channel;
  return rest;
}
