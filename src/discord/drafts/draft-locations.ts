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

export class DraftLocations {
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
  }

  async of(draftId: string): Promise<MessageLocation | undefined> {
    const value = await this.redis.get(`${this.prefix}draft-at:${draftId}`);
    if (!value) return undefined;
    const [channelId, messageId] = value.split('/');
    return channelId && messageId ? { channelId, messageId } : undefined;
  }

  /** The draft shown in message `messageId`, if it is a draft message. */
  draftOfMessage(messageId: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}message-draft:${messageId}`);
  }
}
