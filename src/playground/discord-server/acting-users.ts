/**
 * FakeDiscord, the test-facing class: the loopback server plus actions a test performs as users -
 * invoking slash and message context-menu commands, clicking buttons, choosing in select menus, submitting
 * modals, reacting, and posting messages with attachments and replies. Each interaction returns an
 * InteractionHandle to await the bot's answer.
 */
import type { APIMessage } from 'discord.js';
import { InteractionHandle } from './interaction-handle.js';
import {
  findComponent, interactionBase, messageCommandData, modalComponents, slashData,
  type FakeFile, type OptionValue, type PayloadContext,
} from './interaction-payloads.js';
import type { InteractionRecord } from './interactions.js';
import { FakeDiscordServer, type FakeDiscordOptions, type MessageRef } from './fake-discord.js';
import type { UploadedFile } from './http-io.js';
import type { FakeUser } from './world.js';

export interface PostMessageInput {
  content?: string;
  attachments?: FakeFile[];
  /** Makes the message a reply (message_reference) to this message. */
  replyTo?: MessageRef;
  /** Whether a reply pings (mentions) the replied-to author; Discord's default is true. */
  mentionRepliedUser?: boolean;
}

export class FakeDiscord extends FakeDiscordServer {
  /** Starts the fake on a random 127.0.0.1 port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const discord = new FakeDiscord(options);
    await discord.listen();
    return discord;
  }

  private get payloadContext(): PayloadContext {
    return { world: this.world, store: this.store, commands: () => this.commandRegistry.all(), attachmentSizeLimit: this.attachmentSizeLimit };
  }

  /**
   * `user` runs `/name` in `channelId`. Option types come from the registered command when there is one
   * (unknown or missing required options then throw), else from the values. `subcommand`: `"sub"` or
   * `"group sub"`. Example: `discord.invokeSlash(alice, chan, 'draft', { prompt: 'a fox', steps: 20 }, 'new')`.
   */
  invokeSlash(user: FakeUser, channelId: string, name: string, options: Record<string, OptionValue> = {}, subcommand?: string): InteractionHandle {
    const data = slashData(this.payloadContext, channelId, name, options, subcommand);
    return this.interact(user, channelId, 2, { data }, 20);
  }

  /** `user` runs the message context-menu command `name` on `message`. */
  invokeMessageContextMenu(user: FakeUser, message: MessageRef, name: string): InteractionHandle {
    const target = this.requireMessage(message);
    const data = messageCommandData(this.payloadContext, name, this.store.toApi(target));
    return this.interact(user, target.api.channel_id, 2, { data }, 23);
  }

  /** `user` clicks the button `customId` on `message` (throws if the message has no such component). */
  clickButton(user: FakeUser, message: MessageRef, customId: string): InteractionHandle {
    return this.component(user, message, customId, {});
  }

  /** `user` picks `values` in the select menu `customId` on `message`. */
  selectMenu(user: FakeUser, message: MessageRef, customId: string, values: string[]): InteractionHandle {
    return this.component(user, message, customId, { values });
  }

  /**
   * `user` submits the modal `customId` with text `fields` (custom_id -> value). When the bot showed that
   * modal (callback type 9), the submit goes to the same channel, mirrors the modal's layout and carries
   * the component message the modal was opened from; otherwise it goes to `channelId` (default: first channel).
   */
  submitModal(user: FakeUser, customId: string, fields: Record<string, string>, options: { channelId?: string } = {}): InteractionHandle {
    const opener = [...this.interactions.records.values()].reverse()
      .find((r) => r.callback?.type === 9 && r.callback.data?.custom_id === customId && r.user.id === user.id);
    const channelId = options.channelId ?? opener?.channelId ?? this.channelId();
    const data = { custom_id: customId, components: modalComponents(opener?.callback?.data, fields) };
    const source = opener?.sourceMessageId ? this.store.get(opener.sourceMessageId) : undefined;
    const extra: Record<string, unknown> = { data };
    if (source) extra.message = this.store.toApi(source);
    return this.interact(user, channelId, 5, extra, 0, source?.api.id);
  }

  /** `user` adds `emoji` (unicode, or `name:id` for custom) to `message`; dispatches MESSAGE_REACTION_ADD. */
  react(user: FakeUser, message: MessageRef, emoji: string): void {
    this.features.react(this.requireMessage(message), user, emoji);
  }

  unreact(user: FakeUser, message: MessageRef, emoji: string): void {
    this.features.unreact(this.requireMessage(message), user, emoji);
  }

  /**
   * `user` posts a message (dispatches MESSAGE_CREATE). Attachments are stored and served from this
   * server, so the bot can download them from `attachment.url`.
   */
  postMessage(user: FakeUser, channelId: string, input: PostMessageInput): APIMessage {
    const uploads: UploadedFile[] = (input.attachments ?? []).map((file, index) => ({
      index, filename: file.name, data: file.data, ...(file.contentType ? { contentType: file.contentType } : {}),
    }));
    const record = this.store.create(channelId, user, {
      content: input.content ?? '',
      attachments: (input.attachments ?? []).map((file, index) => ({ id: index, filename: file.name, description: file.description })),
      ...(input.replyTo ? { message_reference: { message_id: typeof input.replyTo === 'string' ? input.replyTo : input.replyTo.id } } : {}),
      ...(input.mentionRepliedUser === false ? { allowed_mentions: { parse: ['users', 'roles', 'everyone'], replied_user: false } } : {}),
    }, uploads);
    return this.store.toApi(record);
  }

  /** Makes `user` the owner of guild `index` (all permissions) and tells the bot (GUILD_UPDATE). */
  transferOwnership(user: FakeUser, index = 0): void {
    const guild = this.guild(index);
    this.world.transferOwnership(guild, user);
    const { members: _m, channels: _c, threads: _t, presences: _p, voice_states: _v, ...update } = this.world.guildCreate(guild);
    this.gateway.dispatch('GUILD_UPDATE', update);
    this.activity.emit({ kind: 'guild', guildId: guild.id });
  }

  private component(user: FakeUser, message: MessageRef, customId: string, extra: Record<string, unknown>): InteractionHandle {
    const target = this.requireMessage(message);
    const component = findComponent(target.api.components, customId);
    if (!component) throw new Error(`fake-discord: message ${target.api.id} has no component ${JSON.stringify(customId)}`);
    const data = { custom_id: customId, component_type: component.type, ...extra };
    return this.interact(user, target.api.channel_id, 3, { data, message: this.store.toApi(target) }, 0, target.api.id);
  }

  private interact(user: FakeUser, channelId: string, type: number, extra: Record<string, unknown>, replyType: number, sourceMessageId?: string): InteractionHandle {
    if (this.identifies.length === 0) throw new Error('fake-discord: no client has identified yet; log the bot in first');
    const init: Omit<InteractionRecord, 'id' | 'token' | 'createdAt' | 'followUpIds'> = {
      type, user, channelId, payload: {}, replyType, ...(sourceMessageId ? { sourceMessageId } : {}),
    };
    const record = this.interactions.create(init);
    record.guildId = this.world.channels.get(channelId)?.guild_id;
    record.payload = { ...interactionBase(this.payloadContext, type, user, channelId), id: record.id, token: record.token, ...extra };
    this.gateway.dispatch('INTERACTION_CREATE', record.payload);
    return new InteractionHandle(record, this.store, this.feed);
  }
}
