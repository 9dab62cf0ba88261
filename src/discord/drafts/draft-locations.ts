/**
 * Where each draft's message lives, kept in Redis beside the story store so that replies, reactions
 * and result deliveries find their draft after a restart: draft id -> channel/message, and message
 * id -> draft id.
 */
import type { Redis } from 'ioredis';

export interface MessageLocation {
  channelId: string;
  messageId: string;
}

const TTL_SECONDS = 90 * 24 * 3600;
/** Message -> draft answers kept in memory; a draft message never shows another draft. */
const MAX_REMEMBERED = 10_000;

export class DraftLocations {
  /**
   * Every vote reaction asks which draft its message shows; remembering the answers (they never
   * change: each draft is posted as a new message) saves a Redis round trip per vote.
   */
  private readonly messageDrafts = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async set(draftId: string, at: MessageLocation): Promise<void> {
    await this.redis
      .multi()
      .set(`${this.prefix}draft-at:${draftId}`, `${at.channelId}/${at.messageId}`, 'EX', TTL_SECONDS)
      .set(`${this.prefix}message-draft:${at.messageId}`, draftId, 'EX', TTL_SECONDS)
      .exec();
    this.remember(at.messageId, draftId);
  }

  async of(draftId: string): Promise<MessageLocation | undefined> {
    const value = await this.redis.get(`${this.prefix}draft-at:${draftId}`);
    if (!value) return undefined;
    const [channelId, messageId] = value.split('/');
    return channelId && messageId ? { channelId, messageId } : undefined;
  }

  /** The draft shown in message `messageId`, if it is a draft message. */
  async draftOfMessage(messageId: string): Promise<string | null> {
    const known = this.messageDrafts.get(messageId);
    if (known) return known;
    const draftId = await this.redis.get(`${this.prefix}message-draft:${messageId}`);
    if (draftId) this.remember(messageId, draftId);
    return draftId;
  }

  private remember(messageId: string, draftId: string): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.messageDrafts.size >= MAX_REMEMBERED) this.messageDrafts.delete(this.messageDrafts.keys().next().value!);
    this.messageDrafts.set(messageId, draftId);
  }
}
