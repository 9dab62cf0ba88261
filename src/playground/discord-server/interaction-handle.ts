/**
 * What a test holds after acting as a user through an interaction: the payload that was dispatched, and
 * ways to await the bot's answer - its callback, the `@original` message as edits arrive, its follow-ups,
 * and a modal it showed (which `submitModal` can then answer).
 */
import type { APIMessage } from 'discord.js';
import type { ChangeFeed } from './change-feed.js';
import type { CallbackRecord, InteractionRecord } from './interactions.js';
import type { MessageStore } from './message-store.js';

const DEFAULT_TIMEOUT_MS = 5_000;

export class InteractionHandle {
  constructor(
    private readonly record: InteractionRecord,
    private readonly store: MessageStore,
    private readonly feed: ChangeFeed,
  ) {}

  get id(): string {
    return this.record.id;
  }

  get token(): string {
    return this.record.token;
  }

  /** The INTERACTION_CREATE data that was dispatched. */
  get payload(): Record<string, unknown> {
    return this.record.payload;
  }

  /** The callback, if the bot has answered yet. */
  get response(): CallbackRecord | undefined {
    return this.record.callback;
  }

  /** Waits for the bot's callback (type 4, 5, 6, 7 or 9). */
  callback(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CallbackRecord> {
    return this.feed.until(() => this.record.callback, timeoutMs, `the callback to interaction ${this.id}`);
  }

  /** The message `@original` refers to now (a reply, a deferred reply, or the updated component message). */
  original(): APIMessage | undefined {
    const record = this.record.originalId ? this.store.get(this.record.originalId) : undefined;
    return record ? this.store.toApi(record) : undefined;
  }

  /**
   * Waits until `@original` exists and satisfies `predicate`, e.g. after deferReply:
   * `await handle.waitForOriginal((m) => m.attachments.length > 0)`.
   */
  waitForOriginal(predicate: (message: APIMessage) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<APIMessage> {
    return this.feed.until(() => {
      const message = this.original();
      return message && predicate(message) ? message : undefined;
    }, timeoutMs, `@original of interaction ${this.id} to match`);
  }

  /** Follow-up messages (POST /webhooks/{app}/{token}), oldest first, in their current state. */
  get followUps(): APIMessage[] {
    return this.record.followUpIds.map((id) => this.store.messages.get(id)!).filter((r) => !r.deleted).map((r) => this.store.toApi(r));
  }

  waitForFollowUp(predicate: (message: APIMessage) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<APIMessage> {
    return this.feed.until(() => this.followUps.find(predicate), timeoutMs, `a follow-up to interaction ${this.id}`);
  }

  /** The modal the bot showed (callback type 9), if it did. */
  modal(): Record<string, unknown> | undefined {
    return this.record.callback?.type === 9 ? this.record.callback.data : undefined;
  }

  /** Internal: the record, for the fake's own use. */
  get internal(): InteractionRecord {
    return this.record;
  }
}
