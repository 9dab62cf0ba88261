/**
 * Messages and uploaded files as Discord keeps them: creating, editing and deleting messages (with the
 * validation Discord applies: 2,000 characters, no empty messages, per-file upload limit), attachments
 * stored in memory and served back by URL, `attachment://` embed references, mentions and replies. Every
 * change is announced through `dispatch` so the gateway can forward it to the bot.
 */
import type { APIAttachment, APIEmbed, APIMessage, APIUser } from 'discord.js';
import { DiscordApiFault, Faults, guessContentType, imageSize, type UploadedFile } from './http-io.js';
import type { FakeUser, FakeWorld } from './world.js';

export interface StoredFile {
  id: string;
  channelId: string;
  filename: string;
  contentType?: string;
  data: Buffer;
  url: string;
}

export interface ReactionRecord {
  key: string;
  emoji: { id: string | null; name: string; animated?: boolean };
  users: string[];
}

export interface MessageRecord {
  api: APIMessage;
  ephemeral: boolean;
  deleted: boolean;
  reactions: ReactionRecord[];
  pinnedAt?: string;
}

/** The message fields a REST payload (or a test acting as a user) may send. */
export interface MessageInput {
  content?: string;
  embeds?: APIEmbed[];
  components?: unknown[];
  tts?: boolean;
  nonce?: string | number;
  flags?: number;
  message_reference?: { message_id?: string; channel_id?: string; type?: number; fail_if_not_exists?: boolean };
  allowed_mentions?: { parse?: string[]; users?: string[]; roles?: string[]; replied_user?: boolean };
  attachments?: { id: string | number; filename?: string; description?: string }[];
}

export type Dispatch = (event: string, data: Record<string, unknown>) => void;

const EPHEMERAL = 1 << 6;
export const MAX_CONTENT = 2000;

export class MessageStore {
  readonly files = new Map<string, StoredFile>();
  readonly messages = new Map<string, MessageRecord>();
  private readonly byChannel = new Map<string, string[]>();

  constructor(
    private readonly world: FakeWorld,
    private readonly baseUrl: () => string,
    private readonly uploadLimit: number,
    private readonly dispatch: Dispatch,
    /** Told of every created, edited or deleted message, ephemeral ones too (the gateway never sees those). */
    private readonly touched: (record: MessageRecord) => void = () => {},
  ) {}

  /** Stores bytes and returns the file with the URL this server serves them from. */
  storeFile(channelId: string, filename: string, data: Buffer, contentType?: string): StoredFile {
    if (data.length > this.uploadLimit) throw Faults.tooLarge();
    const id = this.world.ids.next();
    const file: StoredFile = {
      id, channelId, filename, data, url: `${this.baseUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
    };
    const type = contentType ?? guessContentType(filename);
    if (type) file.contentType = type;
    this.files.set(id, file);
    return file;
  }

  attachment(file: StoredFile, extra: { description?: string; ephemeral?: boolean } = {}): APIAttachment {
    const attachment: APIAttachment = { id: file.id, filename: file.filename, size: file.data.length, url: file.url, proxy_url: file.url };
    if (file.contentType) attachment.content_type = file.contentType;
    const size = imageSize(file.data);
    if (size) Object.assign(attachment, size);
    if (extra.description) attachment.description = extra.description;
    if (extra.ephemeral) attachment.ephemeral = true;
    return attachment;
  }

  get(id: string): MessageRecord | undefined {
    const record = this.messages.get(id);
    return record && !record.deleted ? record : undefined;
  }

  require(channelId: string, id: string): MessageRecord {
    const record = this.get(id);
    if (!record || record.api.channel_id !== channelId) throw Faults.unknownMessage();
    return record;
  }

  /** Non-ephemeral messages of a channel, oldest first. */
  list(channelId: string): MessageRecord[] {
    return (this.byChannel.get(channelId) ?? []).map((id) => this.messages.get(id)!).filter((r) => !r.deleted && !r.ephemeral);
  }

  /**
   * A channel's messages as `userId` sees them, oldest first: every public message plus the ephemeral
   * replies to that user's own interactions. Deleted messages are left out.
   */
  listFor(channelId: string, userId: string): MessageRecord[] {
    return (this.byChannel.get(channelId) ?? []).map((id) => this.messages.get(id)!)
      .filter((r) => !r.deleted && visibleTo(r, userId));
  }

  /** The message as Discord would send it to the bot (reactions with `me`). */
  toApi(record: MessageRecord): APIMessage {
    if (record.reactions.length === 0) return { ...record.api };
    const reactions = record.reactions.map((r) => ({
      count: r.users.length, count_details: { burst: 0, normal: r.users.length }, me: r.users.includes(this.world.bot.id),
      me_burst: false, emoji: r.emoji, burst_colors: [],
    }));
    return { ...record.api, reactions };
  }

  create(
    channelId: string, author: FakeUser, input: MessageInput, uploads: UploadedFile[], extras: Partial<APIMessage> = {}, allowEmpty = false,
  ): MessageRecord {
    const channel = this.world.channels.get(channelId);
    if (!channel) throw Faults.unknownChannel();
    const attachments = this.resolveAttachments(channelId, input.attachments, uploads, [], (input.flags ?? 0) & EPHEMERAL);
    const hasBody = Boolean(input.content) || (input.embeds?.length ?? 0) > 0 || attachments.length > 0 || (input.components?.length ?? 0) > 0;
    if (!hasBody && !allowEmpty) throw Faults.emptyMessage();
    this.checkContent(input.content);
    const id = this.world.ids.next();
    const reference = this.reference(channelId, input);
    const api: APIMessage = {
      id, channel_id: channelId, author: author.api, content: input.content ?? '', timestamp: this.world.clock.iso(),
      edited_timestamp: null, tts: input.tts ?? false, mention_everyone: /@(everyone|here)/.test(input.content ?? ''),
      mentions: this.mentions(input, reference?.api.author), mention_roles: this.roleMentions(input.content ?? ''),
      attachments, embeds: this.resolveEmbeds(input.embeds ?? [], attachments), pinned: false,
      type: reference ? 19 : 0, flags: input.flags ?? 0, components: (input.components ?? []) as APIMessage['components'],
      ...extras,
    };
    if (input.nonce !== undefined) api.nonce = input.nonce;
    if (reference) {
      api.message_reference = { type: 0, message_id: reference.api.id, channel_id: channelId, guild_id: channel.guild_id };
      api.referenced_message = this.toApi(reference);
    }
    const record: MessageRecord = { api, ephemeral: ((api.flags ?? 0) & EPHEMERAL) !== 0, deleted: false, reactions: [] };
    this.messages.set(id, record);
    this.byChannel.set(channelId, [...(this.byChannel.get(channelId) ?? []), id]);
    if (!record.ephemeral) {
      Object.assign(channel, { last_message_id: id });
      if ('message_count' in channel) Object.assign(channel, { message_count: (channel.message_count ?? 0) + 1, total_message_sent: ((channel as { total_message_sent?: number }).total_message_sent ?? 0) + 1 });
      this.dispatch('MESSAGE_CREATE', this.gatewayMessage(record));
    }
    this.touched(record);
    return record;
  }

  edit(record: MessageRecord, input: MessageInput, uploads: UploadedFile[]): MessageRecord {
    const api = record.api;
    if (input.content !== undefined) {
      this.checkContent(input.content ?? '');
      api.content = input.content ?? '';
      api.mentions = this.mentions(input, undefined);
      api.mention_roles = this.roleMentions(api.content);
    }
    if (input.attachments !== undefined || uploads.length > 0) {
      api.attachments = this.resolveAttachments(api.channel_id, input.attachments, uploads, api.attachments, record.ephemeral ? 1 : 0);
    }
    if (input.embeds !== undefined) api.embeds = this.resolveEmbeds(input.embeds ?? [], api.attachments);
    if (input.components !== undefined) api.components = (input.components ?? []) as APIMessage['components'];
    if (input.flags !== undefined && input.flags !== null) api.flags = ((api.flags ?? 0) & ~4) | (input.flags & 4); // SUPPRESS_EMBEDS only
    api.flags = (api.flags ?? 0) & ~(1 << 7); // an edit ends the "thinking" state of a deferred reply
    api.edited_timestamp = this.world.clock.iso();
    if (!record.ephemeral) this.dispatch('MESSAGE_UPDATE', this.gatewayMessage(record));
    this.touched(record);
    return record;
  }

  delete(record: MessageRecord): void {
    record.deleted = true;
    const channel = this.world.channels.get(record.api.channel_id);
    if (!record.ephemeral) this.dispatch('MESSAGE_DELETE', { id: record.api.id, channel_id: record.api.channel_id, ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}) });
    this.touched(record);
  }

  /** MESSAGE_CREATE / MESSAGE_UPDATE data: the message plus guild_id and the author's member. */
  gatewayMessage(record: MessageRecord): Record<string, unknown> {
    const guildId = this.world.channels.get(record.api.channel_id)?.guild_id;
    const data: Record<string, unknown> = { ...this.toApi(record) };
    if (guildId) {
      data.guild_id = guildId;
      const author = this.world.userById(record.api.author.id);
      if (author && !record.api.webhook_id) {
        const { user: _user, ...member } = this.world.member(guildId, author);
        data.member = member;
      }
      data.mentions = record.api.mentions.map((user) => {
        const known = this.world.userById(user.id);
        if (!known) return user;
        const { user: _user, ...member } = this.world.member(guildId, known);
        return { ...user, member };
      });
    }
    return data;
  }

  private checkContent(content: string | undefined): void {
    if ((content ?? '').length > MAX_CONTENT) {
      throw Faults.invalidForm('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
    }
  }

  private reference(channelId: string, input: MessageInput): MessageRecord | undefined {
    const ref = input.message_reference;
    if (!ref?.message_id || (ref.type ?? 0) !== 0) return undefined;
    const target = this.get(ref.message_id);
    if (!target || target.api.channel_id !== (ref.channel_id ?? channelId)) {
      if (ref.fail_if_not_exists === false) return undefined;
      throw Faults.invalidForm('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
    }
    return target;
  }

  private mentions(input: MessageInput, repliedTo: APIUser | undefined): APIUser[] {
    const allowed = input.allowed_mentions;
    const ids = [...(input.content ?? '').matchAll(/<@!?(\d+)>/g)].map((m) => m[1]);
    const permitted = ids.filter((id) => !allowed || allowed.parse?.includes('users') || allowed.users?.includes(id));
    if (repliedTo && (allowed?.replied_user ?? true)) permitted.push(repliedTo.id);
    const users = [...new Set(permitted)].map((id) => this.world.userById(id)?.api).filter((u): u is APIUser => u !== undefined);
    return users;
  }

  private roleMentions(content: string): string[] {
    return [...new Set([...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]))];
  }

  private resolveAttachments(
    channelId: string, wanted: MessageInput['attachments'], uploads: UploadedFile[], existing: APIAttachment[], ephemeral: number,
  ): APIAttachment[] {
    const fromUpload = (upload: UploadedFile, description?: string): APIAttachment =>
      this.attachment(this.storeFile(channelId, upload.filename, upload.data, upload.contentType), { description, ephemeral: ephemeral !== 0 });
    if (wanted === undefined) return [...existing, ...uploads.map((upload) => fromUpload(upload))];
    return wanted.map((entry) => {
      const kept = existing.find((a) => a.id === String(entry.id));
      if (kept) return kept;
      const upload = uploads.find((u) => u.index === Number(entry.id));
      if (!upload) throw Faults.invalidForm('attachments', 'ATTACHMENT_NOT_FOUND', `Attachment ${entry.id} was not uploaded`);
      return fromUpload({ ...upload, filename: entry.filename ?? upload.filename }, entry.description);
    });
  }

  private resolveEmbeds(embeds: APIEmbed[], attachments: APIAttachment[]): APIEmbed[] {
    const resolve = <T extends { url: string }>(media: T | undefined): T | undefined => {
      if (!media?.url.startsWith('attachment://')) return media;
      const file = attachments.find((a) => a.filename === media.url.slice('attachment://'.length));
      if (!file) return media;
      return { ...media, url: file.url, proxy_url: file.proxy_url, ...(file.width ? { width: file.width, height: file.height } : {}) };
    };
    return embeds.map((embed) => {
      const out: APIEmbed = { type: 'rich' as APIEmbed['type'], ...embed };
      if (embed.image) out.image = resolve(embed.image);
      if (embed.thumbnail) out.thumbnail = resolve(embed.thumbnail);
      return out;
    });
  }
}

/** Whether `userId` may see `record`: public messages to all, ephemeral ones to the interaction's user. */
export function visibleTo(record: MessageRecord, userId: string): boolean {
  return !record.ephemeral || record.api.interaction_metadata?.user.id === userId;
}

export function isFault(error: unknown): error is DiscordApiFault {
  return error instanceof DiscordApiFault;
}
