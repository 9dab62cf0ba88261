/**
 * FakeDiscord: a loopback Discord (REST v10 + gateway v10 on one 127.0.0.1 port) that the unmodified
 * discord.js Client logs into. It owns the HTTP server, records every REST call, wires the store to the
 * gateway, and gives tests state lookups and waits. Acting as users lives in `FakeDiscordActors`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIApplicationCommand, APIMessage } from 'discord.js';
import { ActivityFeed } from './activity.js';
import { ChangeFeed } from './change-feed.js';
import { ChannelFeatures } from './channel-features.js';
import { FakeClock } from './clock.js';
import { FakeGateway, type IdentifyRecord } from './gateway.js';
import { DiscordApiFault, Faults, readBody, sendFault, sendJson } from './http-io.js';
import { addInteractionRoutes, InteractionRegistry } from './interactions.js';
import { MessageStore, visibleTo, type MessageRecord } from './message-store.js';
import { addApplicationRoutes, CommandRegistry } from './rest-application.js';
import { addChannelRoutes } from './rest-channels.js';
import { RouteTable, type RecordedCall } from './rest-router.js';
import { FakeWorld, type FakeChannel, type FakeGuild, type FakeGuildSpec, type FakeUser } from './world.js';

export interface FakeDiscordOptions {
  /** Guilds to create; default one guild with a `general` text channel. */
  guilds?: FakeGuildSpec[];
  /** The bot user's name (default `Taleframe`). */
  botName?: string;
  /** Base clock (default `Date.now`); `discord.advanceTime(ms)` moves it forward. */
  now?: () => number;
  heartbeatIntervalMs?: number;
  /** How long an interaction accepts its callback (default 3,000 ms). */
  callbackDeadlineMs?: number;
  /** How long an interaction token works for follow-ups and edits (default 15 min). */
  webhookTtlMs?: number;
  /** Per-file upload limit, also sent as `attachment_size_limit` (default 10 MiB). */
  attachmentSizeLimit?: number;
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on (default 0: a free one). */
  port?: number;
}

/**
 * Requests outside Discord's own paths (`/api/v10`, `/gateway`, `/attachments`), e.g. the playground's
 * web page. `request` returns false for paths it does not serve; `upgrade` likewise for WebSockets.
 */
export interface SiteHandler {
  request(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> | boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
}

/** A message given by its object, `{ id }`, or id. */
export type MessageRef = APIMessage | { id: string } | string;

const API_PREFIX = '/api/v10';

export class FakeDiscordServer {
  readonly clock: FakeClock;
  readonly world: FakeWorld;
  readonly token: string;
  readonly feed = new ChangeFeed();
  /** Messages, channels and commands that changed, for watchers other than the gateway (the web page). */
  readonly activity = new ActivityFeed();
  readonly calls: RecordedCall[] = [];
  /** Handler crashes inside the fake (answered with 500); a test should expect this to stay empty. */
  readonly errors: Error[] = [];
  protected readonly gateway: FakeGateway;
  protected readonly store: MessageStore;
  protected readonly features: ChannelFeatures;
  protected readonly interactions: InteractionRegistry;
  protected readonly commandRegistry: CommandRegistry;
  protected readonly attachmentSizeLimit: number;
  private readonly routes = new RouteTable();
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;
  private site: SiteHandler | undefined;
  private origin = '';

  protected constructor(options: FakeDiscordOptions) {
    this.clock = new FakeClock(options.now);
    this.world = new FakeWorld(this.clock, options.botName ?? 'Taleframe', options.guilds ?? []);
    this.token = `${Buffer.from(this.world.bot.id).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(20).toString('base64url')}`;
    this.attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
    this.gateway = new FakeGateway(this.world, this.token, () => this.gatewayUrl, options.heartbeatIntervalMs ?? 41_250);
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    const dispatch = (event: string, data: Record<string, unknown>) => {
      this.gateway.dispatch(event, data);
      this.activity.emitForDispatch(event, data);
      this.feed.notify();
    };
    const touched = (record: MessageRecord) => {
      if (record.ephemeral) this.activity.emit({ kind: 'message', channelId: record.api.channel_id, messageId: record.api.id });
    };
    this.store = new MessageStore(this.world, () => this.origin, this.attachmentSizeLimit, dispatch, touched);
    this.features = new ChannelFeatures(this.world, this.store, dispatch);
    this.interactions = new InteractionRegistry(this.world, this.store, {
      callbackDeadlineMs: options.callbackDeadlineMs ?? 3_000, webhookTtlMs: options.webhookTtlMs ?? 15 * 60_000,
    });
    this.commandRegistry = new CommandRegistry(this.world);
    addApplicationRoutes(this.routes, this.world, this.commandRegistry, () => this.gatewayUrl);
    addChannelRoutes(this.routes, this.world, this.store, this.features);
    addInteractionRoutes(this.routes, this.interactions, () => this.feed.notify());
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/gateway') this.gateway.handleUpgrade(req, socket, head);
      else if (!this.site?.upgrade(req, socket, head, url)) socket.destroy();
    });
  }

  protected async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.origin = `http://${originHost(this.host)}:${(this.server.address() as AddressInfo).port}`;
  }

  /** This server's own origin (`http://127.0.0.1:port`): attachment URLs start with it. */
  get baseUrl(): string {
    return this.origin;
  }

  /** Serves `site` on the same port for every path Discord itself does not use (one site at a time). */
  serveSite(site: SiteHandler): void {
    this.site = site;
  }

  /** Value for discord.js `rest.api`. */
  get restBase(): string {
    return `${this.origin}/api`;
  }

  /** Value for discord.js `rest.cdn` (answers 404; the fake has no avatars). */
  get cdnBase(): string {
    return `${this.origin}/cdn`;
  }

  get gatewayUrl(): string {
    return `${this.origin.replace(/^http/, 'ws')}/gateway`;
  }

  /** Options to spread into `new Client({ intents, ...discord.clientOptions() })`. */
  clientOptions(): { rest: { api: string; cdn: string } } {
    return { rest: { api: this.restBase, cdn: this.cdnBase } };
  }

  get bot(): FakeUser {
    return this.world.bot;
  }

  /** What the bot sent in each IDENTIFY (intents, properties, shard). */
  get identifies(): readonly IdentifyRecord[] {
    return this.gateway.identifies;
  }

  /** Resolves once a client has identified and received READY. */
  whenReady(): Promise<void> {
    return this.gateway.whenReady();
  }

  user(name: string): FakeUser {
    return this.world.user(name);
  }

  guild(index = 0): FakeGuild {
    const guild = this.world.guilds[index];
    if (!guild) throw new Error(`fake-discord: no guild #${index}`);
    return guild;
  }

  /** A text channel's id by name; without a name, the first guild's first channel. */
  channelId(name?: string): string {
    return this.world.channelId(name);
  }

  channel(id: string): FakeChannel | undefined {
    return this.world.channels.get(id);
  }

  /** Moves the fake clock forward (expires interactions and tokens without sleeping). */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  /** Waits for a REST call matching `predicate` (calls already made count). */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs = 5_000): Promise<RecordedCall> {
    return this.feed.until(() => this.calls.find(predicate), timeoutMs, 'a matching REST call');
  }

  /** Non-ephemeral messages of a channel (or thread), oldest first. */
  messages(channelId: string): APIMessage[] {
    return this.store.list(channelId).map((r) => this.store.toApi(r));
  }

  /** A channel's messages as `user` sees them, oldest first: public ones plus their own ephemeral replies. */
  messagesFor(channelId: string, user: FakeUser): APIMessage[] {
    return this.store.listFor(channelId, user.id).map((r) => this.store.toApi(r));
  }

  /** The message if it exists and `user` may see it (ephemeral replies only reach their interaction's user). */
  visibleMessage(ref: MessageRef, user: FakeUser): APIMessage | undefined {
    const record = this.store.get(refId(ref));
    return record && visibleTo(record, user.id) ? this.store.toApi(record) : undefined;
  }

  message(ref: MessageRef): APIMessage | undefined {
    const record = this.store.get(refId(ref));
    return record ? this.store.toApi(record) : undefined;
  }

  waitForMessage(channelId: string, predicate: (message: APIMessage) => boolean = () => true, timeoutMs = 5_000): Promise<APIMessage> {
    return this.feed.until(() => this.messages(channelId).find(predicate), timeoutMs, `a matching message in ${channelId}`);
  }

  /** Pinned messages, most recently pinned first. */
  pins(channelId: string): APIMessage[] {
    return this.features.pins(channelId).map((r) => this.store.toApi(r));
  }

  threads(): FakeChannel[] {
    return this.features.threads();
  }

  /** Reactions on a message: emoji (unicode or `name:id`) and the ids of users who reacted. */
  reactions(ref: MessageRef): { emoji: string; userIds: string[] }[] {
    return this.requireMessage(ref).reactions.map((r) => ({ emoji: r.emoji.id ? `${r.emoji.name}:${r.emoji.id}` : r.emoji.name, userIds: [...r.users] }));
  }

  /** Bytes of a stored attachment, by attachment object, id or URL. */
  file(ref: { id: string } | string): Buffer | undefined {
    const key = typeof ref === 'string' ? ref : ref.id;
    const found = this.store.files.get(key) ?? [...this.store.files.values()].find((f) => f.url === key);
    return found?.data;
  }

  /** Registered application commands (global and guild), as the bot deployed them. */
  commands(): APIApplicationCommand[] {
    return this.commandRegistry.all();
  }

  /** Drops gateway sockets with `code`; discord.js reconnects and RESUMEs (events meanwhile are replayed). */
  disconnectGateway(code = 4000): void {
    this.gateway.disconnect(code);
  }

  /** Sends op 7 RECONNECT to connected clients. */
  requestReconnect(): void {
    this.gateway.requestReconnect();
  }

  /** Forgets gateway sessions so the next RESUME is refused with INVALID_SESSION. */
  invalidateSessions(): void {
    this.gateway.invalidateSessions();
  }

  /** Sends any dispatch (filtered by the identified intents), for events the helpers do not cover. */
  dispatch(event: string, data: Record<string, unknown>): void {
    this.gateway.dispatch(event, data);
  }

  /** Stops the gateway and HTTP server. Destroy discord.js clients first. */
  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected requireMessage(ref: MessageRef): MessageRecord {
    const record = this.store.get(refId(ref));
    if (!record) throw new Error(`fake-discord: unknown message ${refId(ref)}`);
    return record;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'GET' && url.pathname.startsWith('/attachments/')) return this.serveFile(url.pathname, res);
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      if (this.site && (await this.serveSiteRequest(req, res, url))) return;
      return sendFault(res, Faults.notFound());
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const method = req.method ?? 'GET';
    const call: RecordedCall = {
      method, path, query: Object.fromEntries(url.searchParams), body: undefined, files: [], status: 0, response: undefined, at: this.clock.now(),
    };
    try {
      const matched = this.routes.match(method, path);
      if (!matched) throw this.routes.knows(path) ? new DiscordApiFault(405, 0, '405: Method Not Allowed') : Faults.notFound();
      call.route = matched.route.template;
      if (matched.route.auth && req.headers.authorization !== `Bot ${this.token}`) throw Faults.unauthorized();
      const body = await readBody(req);
      Object.assign(call, { body: body.json, files: body.files });
      const result = matched.route.handler({ params: matched.params, query: url.searchParams, body, json: (body.json ?? {}) as Record<string, unknown> });
      call.status = result.status ?? (result.body === undefined ? 204 : 200);
      call.response = result.body;
      sendJson(res, call.status, result.body);
    } catch (error) {
      const fault = error instanceof DiscordApiFault ? error : new DiscordApiFault(500, 0, '500: Internal Server Error');
      if (!(error instanceof DiscordApiFault)) this.errors.push(error as Error);
      call.status = fault.status;
      call.response = { code: fault.code, message: fault.message };
      sendFault(res, fault);
    }
    this.calls.push(call);
    if (call.route?.includes('/commands') && method !== 'GET' && call.status < 300) this.activity.emit({ kind: 'commands' });
    this.feed.notify();
  }

  private async serveSiteRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    try {
      return await this.site!.request(req, res, url);
    } catch (error) {
      this.errors.push(error as Error);
      if (!res.headersSent) sendFault(res, new DiscordApiFault(500, 0, '500: Internal Server Error'));
      else res.destroy();
      return true;
    }
  }

  private serveFile(pathname: string, res: ServerResponse): void {
    const [, , , id] = pathname.split('/');
    const file = this.store.files.get(id);
    if (!file) return sendFault(res, Faults.notFound());
    res.writeHead(200, { 'content-type': file.contentType ?? 'application/octet-stream', 'content-length': file.data.length }).end(file.data);
  }
}

/** The host this server calls itself by: a wildcard address (all interfaces) is reached on loopback. */
function originHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function refId(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.id;
}
