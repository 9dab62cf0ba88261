/**
 * INTERACTION_CREATE payloads as Discord sends them to a bot in a guild: slash commands (options typed by
 * the registered definition, subcommands and groups, resolved users/channels/roles/attachments), message
 * context-menu commands, component clicks and modal submits, each with member, permissions, channel,
 * locale, context, entitlements and attachment_size_limit.
 */
import type { APIApplicationCommand, APIApplicationCommandOption, APIMessage } from 'discord.js';
import type { MessageStore } from './message-store.js';
import type { FakeUser, FakeWorld } from './world.js';

/** A file a test "uploads" as a user (for attachment options and posted messages). */
export interface FakeFile {
  name: string;
  data: Buffer;
  contentType?: string;
  description?: string;
}

/** A slash-command option value: strings, numbers, booleans, users, files, or ids of channels/roles. */
export type OptionValue = string | number | boolean | FakeUser | FakeFile;

export interface PayloadContext {
  world: FakeWorld;
  store: MessageStore;
  commands: () => APIApplicationCommand[];
  attachmentSizeLimit: number;
}

/** The fields every guild interaction carries. */
export function interactionBase(ctx: PayloadContext, type: number, user: FakeUser, channelId: string): Record<string, unknown> {
  const channel = ctx.world.channels.get(channelId);
  if (!channel?.guild_id) throw new Error(`fake-discord: ${channelId} is not a guild channel`);
  const guildId = channel.guild_id;
  return {
    type, version: 1, application_id: ctx.world.applicationId, guild_id: guildId, channel_id: channelId,
    channel: { ...channel }, guild: { id: guildId, locale: 'en-US', features: [] },
    member: { ...ctx.world.member(guildId, user), permissions: ctx.world.permissions(guildId, user) },
    app_permissions: ctx.world.permissions(guildId, ctx.world.bot), locale: 'en-US', guild_locale: 'en-US',
    entitlements: [], entitlement_sku_ids: [], authorizing_integration_owners: { '0': guildId }, context: 0,
    attachment_size_limit: ctx.attachmentSizeLimit,
  };
}

/** `data` of a chat-input command; `subcommand` is `"name"` or `"group name"`. */
export function slashData(
  ctx: PayloadContext, channelId: string, name: string, values: Record<string, OptionValue>, subcommand?: string,
): Record<string, unknown> {
  const guildId = ctx.world.channels.get(channelId)?.guild_id;
  const command = ctx.commands().find((c) => c.name === name && (c.type ?? 1) === 1 && (!c.guild_id || c.guild_id === guildId));
  const path = subcommand?.trim().split(/\s+/) ?? [];
  let defs: APIApplicationCommandOption[] | undefined = command?.options;
  const chain: { type: number; name: string }[] = [];
  for (const [i, part] of path.entries()) {
    const def = defs?.find((o) => o.name === part);
    if (command && !def) throw new Error(`fake-discord: /${name} has no subcommand ${JSON.stringify(part)}`);
    chain.push({ type: def?.type ?? (i === path.length - 1 ? 1 : 2), name: part });
    defs = def && 'options' in def ? (def.options as APIApplicationCommandOption[] | undefined) : undefined;
  }
  const resolved: Record<string, Record<string, unknown>> = {};
  const leaf = Object.entries(values).map(([optionName, value]) => {
    const def = defs?.find((o) => o.name === optionName);
    if (command && !def) throw new Error(`fake-discord: /${name} ${subcommand ?? ''} has no option ${JSON.stringify(optionName)}`);
    return option(ctx, channelId, optionName, value, def?.type ?? inferType(value), resolved);
  });
  for (const def of defs ?? []) {
    if ('required' in def && def.required && !(def.name in values)) {
      throw new Error(`fake-discord: /${name} needs option ${JSON.stringify(def.name)}`);
    }
  }
  let options: Record<string, unknown>[] = leaf;
  for (const step of [...chain].reverse()) options = [{ type: step.type, name: step.name, options }];
  const data: Record<string, unknown> = { id: command?.id ?? ctx.world.ids.next(), name, type: 1 };
  if (options.length > 0) data.options = options;
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  if (command?.guild_id) data.guild_id = command.guild_id;
  return data;
}

/** `data` of a message context-menu command. */
export function messageCommandData(ctx: PayloadContext, name: string, message: APIMessage): Record<string, unknown> {
  const command = ctx.commands().find((c) => c.name === name && c.type === 3);
  const data: Record<string, unknown> = {
    id: command?.id ?? ctx.world.ids.next(), name, type: 3, target_id: message.id,
    resolved: { messages: { [message.id]: message } },
  };
  if (command?.guild_id) data.guild_id = command.guild_id;
  return data;
}

/** Finds a component by custom_id anywhere in a message's component tree. */
export function findComponent(components: unknown, customId: string): Record<string, unknown> | undefined {
  if (!components || typeof components !== 'object') return undefined;
  if (Array.isArray(components)) {
    for (const item of components) {
      const found = findComponent(item, customId);
      if (found) return found;
    }
    return undefined;
  }
  const node = components as Record<string, unknown>;
  if (node.custom_id === customId) return node;
  return findComponent(node.components, customId) ?? findComponent(node.accessory, customId) ?? findComponent(node.component, customId);
}

/**
 * `data.components` of a modal submit. With the modal the bot showed, the answer mirrors its layout
 * (action rows or labels); otherwise each field becomes an action row with one text input.
 */
export function modalComponents(modal: Record<string, unknown> | undefined, fields: Record<string, string>): unknown[] {
  const input = (node: Record<string, unknown>) => ({ type: 4, ...(node.id !== undefined ? { id: node.id } : {}), custom_id: node.custom_id, value: fields[String(node.custom_id)] ?? '' });
  if (!modal) return Object.keys(fields).map((customId) => ({ type: 1, components: [{ type: 4, custom_id: customId, value: fields[customId] }] }));
  for (const name of Object.keys(fields)) {
    if (!findComponent(modal.components, name)) throw new Error(`fake-discord: the modal has no field ${JSON.stringify(name)}`);
  }
  return (modal.components as Record<string, unknown>[]).flatMap((node) => {
    const id = node.id !== undefined ? { id: node.id } : {};
    if (node.type === 1) return [{ type: 1, ...id, components: (node.components as Record<string, unknown>[]).map(input) }];
    if (node.type === 18 && (node.component as Record<string, unknown>)?.type === 4) return [{ type: 18, ...id, component: input(node.component as Record<string, unknown>) }];
    return node.type === 10 ? [{ type: 10, ...id }] : [];
  });
}

function inferType(value: OptionValue): number {
  if (typeof value === 'string') return 3;
  if (typeof value === 'boolean') return 5;
  if (typeof value === 'number') return Number.isInteger(value) ? 4 : 10;
  return 'data' in value ? 11 : 6;
}

function option(
  ctx: PayloadContext, channelId: string, name: string, value: OptionValue, type: number, resolved: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const put = (kind: string, id: string, object: unknown) => {
    resolved[kind] = { ...(resolved[kind] ?? {}), [id]: object };
  };
  const guildId = ctx.world.channels.get(channelId)?.guild_id;
  if (type === 11) {
    const file = value as FakeFile;
    if (!file || typeof file !== 'object' || !('data' in file)) throw new Error(`fake-discord: option ${name} needs a file`);
    const stored = ctx.store.storeFile(channelId, file.name, file.data, file.contentType);
    put('attachments', stored.id, ctx.store.attachment(stored, { ephemeral: true, description: file.description }));
    return { type, name, value: stored.id };
  }
  if (type === 6 || type === 9) {
    const user = typeof value === 'object' && 'api' in value ? value : ctx.world.userById(String(value));
    if (user) {
      put('users', user.id, user.api);
      if (guildId) {
        const { user: _user, ...member } = ctx.world.member(guildId, user);
        put('members', user.id, { ...member, permissions: ctx.world.permissions(guildId, user) });
      }
      return { type, name, value: user.id };
    }
  }
  if (type === 7) {
    const channel = ctx.world.channels.get(String(value));
    if (!channel) throw new Error(`fake-discord: option ${name}: unknown channel ${String(value)}`);
    put('channels', channel.id, { id: channel.id, name: channel.name, type: channel.type, permissions: ctx.world.permissions(channel.guild_id!, ctx.world.bot) });
    return { type, name, value: channel.id };
  }
  if (type === 8 || type === 9) {
    const role = ctx.world.requireGuild(guildId).roles.find((r) => r.id === String(value) || r.name === String(value));
    if (!role) throw new Error(`fake-discord: option ${name}: unknown role ${String(value)}`);
    put('roles', role.id, role);
    return { type, name, value: role.id };
  }
  if (type === 4 && !(typeof value === 'number' && Number.isInteger(value))) throw new Error(`fake-discord: option ${name} needs an integer`);
  if (type === 10 && typeof value !== 'number') throw new Error(`fake-discord: option ${name} needs a number`);
  if (type === 5 && typeof value !== 'boolean') throw new Error(`fake-discord: option ${name} needs a boolean`);
  return { type, name, value: type === 3 ? String(value) : value };
}
