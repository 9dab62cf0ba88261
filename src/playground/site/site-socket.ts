/**
 * Live updates for the playground page over a WebSocket (`/playground/socket?token=...`): each member's
 * tabs receive the messages they may see as they are created, edited (progress bars), reacted to or
 * deleted, plus new threads, re-registered commands and who joined. Changes within one tick are
 * coalesced, so a burst of edits costs one frame per message.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Activity, FakeDiscord } from '../discord-server/index.js';
import { channelViews } from './channel-views.js';
import type { Member, Members } from './members.js';
import { messageView } from './message-view.js';

export const SOCKET_PATH = '/playground/socket';

export class SiteSocket {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Map<WebSocket, Member>();
  private pending = new Map<string, string>();
  private pendingKinds = new Set<'channels' | 'commands' | 'members'>();
  private flushing = false;
  private readonly unwatch: () => void;

  constructor(private readonly discord: FakeDiscord, private readonly members: Members) {
    this.unwatch = discord.activity.watch((activity) => this.note(activity));
  }

  /** Accepts the upgrade when `url` is the socket path and its token names a member. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    if (url.pathname !== SOCKET_PATH) return false;
    const member = this.members.byTokenOf(url.searchParams.get('token') ?? undefined);
    if (!member) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return true;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      this.clients.set(ws, member);
      ws.on('close', () => this.clients.delete(ws));
      ws.on('error', () => ws.terminate());
      ws.send(JSON.stringify({ type: 'hello' }));
    });
    return true;
  }

  /** Tells every tab the member list changed. */
  membersChanged(): void {
    this.queue('members');
  }

  close(): void {
    this.unwatch();
    for (const ws of this.clients.keys()) ws.terminate();
    this.server.close();
  }

  private note(activity: Activity): void {
    if (activity.kind === 'message') this.pending.set(activity.messageId, activity.channelId);
    else if (activity.kind === 'channel') this.pendingKinds.add('channels');
    else if (activity.kind === 'commands') this.pendingKinds.add('commands');
    else this.pendingKinds.add('members');
    this.schedule();
  }

  private queue(kind: 'channels' | 'commands' | 'members'): void {
    this.pendingKinds.add(kind);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    const messages = this.pending;
    const kinds = this.pendingKinds;
    this.pending = new Map();
    this.pendingKinds = new Set();
    const shared: string[] = [];
    if (kinds.has('channels')) shared.push(JSON.stringify({ type: 'channels', channels: channelViews(this.discord) }));
    if (kinds.has('commands')) shared.push(JSON.stringify({ type: 'commands', commands: this.discord.commands() }));
    if (kinds.has('members')) shared.push(JSON.stringify({ type: 'members', members: this.members.list() }));
    for (const [ws, member] of this.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      for (const frame of shared) ws.send(frame);
      for (const [messageId, channelId] of messages) {
        const message = this.discord.visibleMessage(messageId, member.user);
        const frame = message
          ? { type: 'message', channelId, id: messageId, message: messageView(this.discord, message, member.user.id) }
          : { type: 'message', channelId, id: messageId };
        ws.send(JSON.stringify(frame));
      }
    }
  }
}
