/**
 * Interactions as Discord tracks them: each has an id, a token, a creation time and at most one callback.
 * The callback must come within 3 s (else 404 10062 "Unknown interaction"); the token then works for
 * follow-ups and edits of `@original` for 15 min (else 401 50027). Both limits read the injectable clock.
 * This file holds the records and the REST routes for /interactions and /webhooks.
 */
import type { APIMessage } from 'discord.js';
import { randomBytes } from 'node:crypto';
import { Faults } from './http-io.js';
import type { MessageInput, MessageRecord, MessageStore, StoredFile } from './message-store.js';
import { noContent, ok, type RouteContext, type RouteTable } from './rest-router.js';
import type { FakeUser, FakeWorld } from './world.js';

/** The bot's answer to an interaction, as recorded. */
export interface CallbackRecord {
  /** 4 message, 5 deferred message, 6 deferred update, 7 update message, 9 modal. */
  type: number;
  data?: Record<string, unknown>;
  /** Files uploaded with a type 4/7 callback. */
  files: StoredFile[];
  /** Fake-clock time of the callback and its delay after the interaction was created. */
  at: number;
  elapsedMs: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component, 5 modal submit. */
  type: number;
  createdAt: number;
  user: FakeUser;
  channelId: string;
  guildId?: string;
  payload: Record<string, unknown>;
  /** The message a component (or a modal opened from one) belongs to. */
  sourceMessageId?: string;
  /** Message type for the reply: 20 chat input, 23 context menu, 0 otherwise. */
  replyType: number;
  callback?: CallbackRecord;
  /** Id of the message `@original` refers to, once there is one. */
  originalId?: string;
  followUpIds: string[];
}

export interface InteractionLimits {
  callbackDeadlineMs: number;
  webhookTtlMs: number;
}

export class InteractionRegistry {
  readonly records = new Map<string, InteractionRecord>();

  constructor(readonly world: FakeWorld, readonly store: MessageStore, readonly limits: InteractionLimits) {}

  create(init: Omit<InteractionRecord, 'id' | 'token' | 'createdAt' | 'followUpIds'> & { id?: string }): InteractionRecord {
    const id = init.id ?? this.world.ids.next();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
    const record: InteractionRecord = { ...init, id, token, createdAt: this.world.clock.now(), followUpIds: [] };
    this.records.set(id, record);
    return record;
  }

  byToken(applicationId: string, token: string): InteractionRecord {
    if (applicationId !== this.world.applicationId) throw Faults.unknownWebhook();
    const record = [...this.records.values()].find((r) => r.token === token);
    if (!record) throw Faults.unknownWebhook();
    if (this.world.clock.now() - record.createdAt > this.limits.webhookTtlMs) throw Faults.invalidWebhookToken();
    return record;
  }

  /** The wire `interaction_metadata` Discord attaches to messages sent for an interaction. */
  metadata(record: InteractionRecord): NonNullable<APIMessage['interaction_metadata']> {
    const data = (record.payload.data ?? {}) as { name?: string; type?: number };
    const meta: Record<string, unknown> = {
      id: record.id, type: record.type, user: record.user.api,
      authorizing_integration_owners: record.guildId ? { '0': record.guildId } : { '1': record.user.id },
    };
    if (record.type === 2) Object.assign(meta, { name: data.name, command_type: data.type });
    if (record.type === 3 && record.sourceMessageId) meta.interacted_message_id = record.sourceMessageId;
    if (record.originalId && record.originalId !== record.sourceMessageId) meta.original_response_message_id = record.originalId;
    return meta as unknown as NonNullable<APIMessage['interaction_metadata']>;
  }

  reply(record: InteractionRecord, input: MessageInput, ctx: RouteContext, allowEmpty = false, type = record.replyType): MessageRecord {
    const bot = this.world.bot;
    return this.store.create(record.channelId, bot, input, ctx.body.files, {
      type, webhook_id: this.world.applicationId, application_id: this.world.applicationId,
      interaction_metadata: this.metadata(record), flags: (input.flags ?? 0) | (allowEmpty ? 1 << 7 : 0),
    }, allowEmpty);
  }
}

export function addInteractionRoutes(table: RouteTable, registry: InteractionRegistry, onChange: () => void): void {
  const { world, store } = registry;

  table.add('POST', '/interactions/:id/:token/callback', (ctx) => {
    const record = registry.records.get(ctx.params.id);
    if (!record || record.token !== ctx.params.token) throw Faults.unknownInteraction();
    if (record.callback) throw Faults.alreadyAcknowledged();
    const now = world.clock.now();
    if (now - record.createdAt > registry.limits.callbackDeadlineMs) throw Faults.unknownInteraction();
    const type = Number(ctx.json.type);
    const data = ctx.json.data as Record<string, unknown> | undefined;
    const isComponent = record.sourceMessageId !== undefined;
    if (![4, 5, 6, 7, 9].includes(type) || ((type === 6 || type === 7) && !isComponent) || (type === 9 && record.type === 5)) {
      throw Faults.invalidForm('type', 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid here`);
    }
    let message: MessageRecord | undefined;
    let before = new Set<string>();
    if (type === 4) message = registry.reply(record, (data ?? {}) as MessageInput, ctx);
    if (type === 5) message = registry.reply(record, { flags: Number(data?.flags ?? 0) & (1 << 6) }, ctx, true);
    if (type === 6 || type === 7) message = store.get(record.sourceMessageId!);
    if (type === 7 && message) {
      before = new Set(message.api.attachments.map((a) => a.id));
      store.edit(message, (data ?? {}) as MessageInput, ctx.body.files);
    }
    if (type === 9 && (!data?.custom_id || !data.title || !Array.isArray(data.components))) {
      throw Faults.invalidForm('data', 'BASE_TYPE_REQUIRED', 'A modal needs custom_id, title and components');
    }
    const files = (type === 4 || type === 7) && message
      ? message.api.attachments.filter((a) => !before.has(a.id)).map((a) => store.files.get(a.id)).filter((f): f is StoredFile => f !== undefined)
      : [];
    record.callback = { type, files, at: now, elapsedMs: now - record.createdAt, ...(data ? { data } : {}) };
    if (message) record.originalId = message.api.id;
    onChange();
    if (ctx.query.get('with_response') !== 'true') return noContent();
    const interaction: Record<string, unknown> = { id: record.id, type: record.type };
    if (message) {
      Object.assign(interaction, {
        response_message_id: message.api.id, response_message_loading: type === 5,
        response_message_ephemeral: message.ephemeral,
      });
    }
    return ok({ interaction, resource: { type, ...(message && type !== 6 ? { message: store.toApi(message) } : {}) } });
  }, false);

  const target = (ctx: RouteContext): { record: InteractionRecord; message: MessageRecord } => {
    const record = registry.byToken(ctx.params.app, ctx.params.token);
    const id = ctx.params.message === '@original' ? record.originalId : ctx.params.message;
    const mine = id !== undefined && (id === record.originalId || record.followUpIds.includes(id));
    const message = mine ? store.get(id) : undefined;
    if (!message) throw Faults.unknownMessage();
    return { record, message };
  };

  table
    .add('POST', '/webhooks/:app/:token', (ctx) => {
      const record = registry.byToken(ctx.params.app, ctx.params.token);
      if (!record.callback) throw Faults.unknownWebhook();
      const original = record.originalId ? store.get(record.originalId) : undefined;
      if (record.callback.type === 5 && original && ((original.api.flags ?? 0) & (1 << 7)) !== 0) {
        // The first follow-up to a deferred reply fills in the loading message, as Discord does.
        store.edit(original, ctx.json as MessageInput, ctx.body.files);
        onChange();
        return ok(store.toApi(original));
      }
      const message = registry.reply(record, ctx.json as MessageInput, ctx, false, 0);
      record.followUpIds.push(message.api.id);
      onChange();
      return ok(store.toApi(message));
    }, false)
    .add('GET', '/webhooks/:app/:token/messages/:message', (ctx) => ok(store.toApi(target(ctx).message)), false)
    .add('PATCH', '/webhooks/:app/:token/messages/:message', (ctx) => {
      const { message } = target(ctx);
      store.edit(message, ctx.json as MessageInput, ctx.body.files);
      onChange();
      return ok(store.toApi(message));
    }, false)
    .add('DELETE', '/webhooks/:app/:token/messages/:message', (ctx) => {
      const { message } = target(ctx);
      store.delete(message);
      onChange();
      return noContent();
    }, false);
}
