/**
 * The fake gateway: a WebSocket endpoint on the fake's HTTP server that speaks Discord gateway v10 in JSON,
 * optionally zlib-stream compressed. HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats and ACKs,
 * RESUME with replay (or INVALID_SESSION), GUILD_MEMBERS_CHUNK for member requests, sequence numbers, and
 * dispatches filtered by the intents the bot identified with (including MESSAGE_CONTENT stripping).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { constants as zlibConstants, createDeflate, type Deflate } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeWorld } from './world.js';

export const Intent = {
  Guilds: 1 << 0, GuildMembers: 1 << 1, GuildMessages: 1 << 9, GuildMessageReactions: 1 << 10,
  DirectMessages: 1 << 12, DirectMessageReactions: 1 << 13, MessageContent: 1 << 15,
} as const;

/** What the bot sent in IDENTIFY (recorded for tests). */
export interface IdentifyRecord {
  intents: number;
  properties: Record<string, unknown>;
  shard?: [number, number];
  compress?: boolean;
  at: number;
}

interface GatewaySession {
  id: string;
  seq: number;
  intents: number;
  socket: WebSocket | undefined;
  sent: { s: number; text: string }[];
}

interface Connection {
  socket: WebSocket;
  session?: GatewaySession;
  deflate?: Deflate;
  pending: Buffer[];
}

/** Application flags the READY payload carries (GATEWAY_*_LIMITED: a small, unverified bot). */
const APPLICATION_FLAGS = (1 << 13) | (1 << 15) | (1 << 19);

export class FakeGateway {
  readonly identifies: IdentifyRecord[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly connections = new Set<Connection>();
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly world: FakeWorld,
    private readonly token: string,
    private readonly url: () => string,
    private readonly heartbeatIntervalMs: number,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(req, socket, head, (ws) => this.accept(ws, new URL(req.url ?? '/', 'http://x').searchParams));
  }

  /** Sends a dispatch to every identified session whose intents let it through. */
  dispatch(event: string, data: Record<string, unknown>): void {
    for (const session of this.sessions.values()) {
      const gated = gate(event, data, session.intents, this.world.bot.id);
      if (gated) this.sendDispatch(session, event, gated);
    }
  }

  /** Resolves once some session has received READY (immediately if one has). */
  whenReady(): Promise<void> {
    if (this.sessions.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Drops every socket with `code` (4000 lets discord.js resume; the session and its events are kept). */
  disconnect(code = 4000): void {
    for (const connection of this.connections) connection.socket.close(code, 'fake-discord disconnect');
  }

  /** Sends op 7 RECONNECT, asking clients to reconnect and resume. */
  requestReconnect(): void {
    for (const connection of this.connections) this.send(connection, { op: 7, d: null });
  }

  /** Forgets all sessions, so the next RESUME gets INVALID_SESSION. */
  invalidateSessions(): void {
    this.sessions.clear();
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.socket.terminate();
      connection.deflate?.close();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, query: URLSearchParams): void {
    const connection: Connection = { socket, pending: [] };
    this.connections.add(connection);
    socket.on('close', () => {
      this.connections.delete(connection);
      if (connection.session?.socket === socket) connection.session.socket = undefined;
      connection.deflate?.close();
    });
    socket.on('error', () => socket.terminate());
    if (query.get('v') !== '10') return socket.close(4012, 'Invalid API version');
    if ((query.get('encoding') ?? 'json') !== 'json') return socket.close(4002, 'Error while decoding payload.');
    if (query.get('compress') === 'zlib-stream') this.startDeflate(connection);
    socket.on('message', (raw, isBinary) => this.receive(connection, isBinary ? null : raw.toString()));
    this.send(connection, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs, _trace: ['fake-discord'] }, s: null, t: null });
  }

  private receive(connection: Connection, text: string | null): void {
    let payload: { op?: number; d?: Record<string, unknown> | number | null };
    try {
      payload = JSON.parse(text ?? '') as typeof payload;
    } catch {
      return connection.socket.close(4002, 'Error while decoding payload.');
    }
    const d = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case 1: return this.send(connection, { op: 11 });
      case 2: return this.identify(connection, d);
      case 6: return this.resume(connection, d);
      case 3: case 4: return connection.session ? undefined : connection.socket.close(4003, 'Not authenticated.');
      case 8: return this.memberChunk(connection, d);
      default: return connection.socket.close(4001, 'Unknown opcode.');
    }
  }

  private identify(connection: Connection, d: Record<string, unknown>): void {
    if (d.token !== this.token) return connection.socket.close(4004, 'Authentication failed.');
    if (connection.session) return connection.socket.close(4005, 'Already authenticated.');
    if (typeof d.intents !== 'number') return connection.socket.close(4013, 'Invalid intent(s).');
    const record: IdentifyRecord = { intents: d.intents, properties: (d.properties ?? {}) as Record<string, unknown>, at: this.world.clock.now() };
    if (Array.isArray(d.shard)) record.shard = d.shard as [number, number];
    if (typeof d.compress === 'boolean') record.compress = d.compress;
    this.identifies.push(record);
    const session: GatewaySession = { id: this.world.ids.next().slice(-16), seq: 0, intents: d.intents, socket: connection.socket, sent: [] };
    connection.session = session;
    this.sessions.set(session.id, session);
    this.sendDispatch(session, 'READY', {
      v: 10, user_settings: {}, user: { ...this.world.bot.api, verified: true, mfa_enabled: false, flags: 0 },
      guilds: this.world.guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id, session_type: 'normal', resume_gateway_url: this.url(),
      shard: record.shard ?? [0, 1], application: { id: this.world.applicationId, flags: APPLICATION_FLAGS },
      relationships: [], private_channels: [], presences: [], guild_join_requests: [], geo_ordered_rtc_regions: [],
      auth: {}, _trace: ['fake-discord'],
    });
    for (const guild of this.world.guilds) this.sendDispatch(session, 'GUILD_CREATE', this.world.guildCreate(guild));
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  private resume(connection: Connection, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id));
    if (d.token !== this.token || !session || connection.session) {
      return this.send(connection, { op: 9, d: false });
    }
    connection.session = session;
    session.socket = connection.socket;
    const since = Number(d.seq ?? 0);
    for (const entry of session.sent) if (entry.s > since) this.sendText(connection, entry.text);
    this.sendDispatch(session, 'RESUMED', { _trace: ['fake-discord'] });
  }

  private memberChunk(connection: Connection, d: Record<string, unknown>): void {
    const session = connection.session;
    if (!session) return connection.socket.close(4003, 'Not authenticated.');
    const guild = this.world.guildById(String(d.guild_id));
    if (!guild) return;
    const all = (this.world.guildCreate(guild).members ?? []) as { user: { id: string } }[];
    const ids = Array.isArray(d.user_ids) ? d.user_ids.map(String) : typeof d.user_ids === 'string' ? [d.user_ids] : undefined;
    const members = ids ? all.filter((m) => ids.includes(m.user.id)) : all;
    const chunk: Record<string, unknown> = { guild_id: guild.id, members, chunk_index: 0, chunk_count: 1 };
    if (d.nonce !== undefined) chunk.nonce = d.nonce;
    if (ids) chunk.not_found = ids.filter((id) => !members.some((m) => m.user.id === id));
    this.sendDispatch(session, 'GUILD_MEMBERS_CHUNK', chunk);
  }

  private sendDispatch(session: GatewaySession, event: string, data: unknown): void {
    const s = ++session.seq;
    const text = JSON.stringify({ op: 0, t: event, s, d: data });
    session.sent.push({ s, text });
    if (session.sent.length > 1000) session.sent.shift();
    const connection = [...this.connections].find((c) => c.socket === session.socket);
    if (connection) this.sendText(connection, text);
  }

  private send(connection: Connection, payload: unknown): void {
    this.sendText(connection, JSON.stringify(payload));
  }

  private sendText(connection: Connection, text: string): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    const deflate = connection.deflate;
    if (!deflate) return connection.socket.send(text);
    deflate.write(text);
    deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
      const frame = Buffer.concat(connection.pending.splice(0));
      if (frame.length > 0 && connection.socket.readyState === connection.socket.OPEN) connection.socket.send(frame, { binary: true });
    });
  }

  private startDeflate(connection: Connection): void {
    const deflate = createDeflate({ chunkSize: 65_535 });
    deflate.on('data', (chunk: Buffer) => connection.pending.push(chunk));
    deflate.on('error', () => connection.socket.terminate());
    connection.deflate = deflate;
  }
}

/** The dispatch as a session with `intents` receives it, or null when its intents filter it out. */
export function gate(event: string, data: Record<string, unknown>, intents: number, botId: string): Record<string, unknown> | null {
  const inGuild = data.guild_id !== undefined;
  const has = (bit: number) => (intents & bit) !== 0;
  if (event.startsWith('MESSAGE_REACTION_')) return has(inGuild ? Intent.GuildMessageReactions : Intent.DirectMessageReactions) ? data : null;
  if (event === 'MESSAGE_CREATE' || event === 'MESSAGE_UPDATE' || event === 'MESSAGE_DELETE') {
    if (!has(inGuild ? Intent.GuildMessages : Intent.DirectMessages)) return null;
    if (event === 'MESSAGE_DELETE' || has(Intent.MessageContent) || !inGuild) return data;
    const author = (data.author as { id?: string } | undefined)?.id;
    const mentioned = ((data.mentions ?? []) as { id: string }[]).some((user) => user.id === botId);
    if (author === botId || mentioned) return data;
    const { poll: _poll, ...rest } = data;
    return { ...rest, content: '', embeds: [], attachments: [], components: [] };
  }
  if (/^(CHANNEL_|THREAD_|GUILD_ROLE_)/.test(event) || event === 'GUILD_UPDATE') return has(Intent.Guilds) ? data : null;
  if (event.startsWith('GUILD_MEMBER_') && event !== 'GUILD_MEMBERS_CHUNK') return has(Intent.GuildMembers) ? data : null;
  return data;
}
