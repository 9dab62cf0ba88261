/**
 * The playground's web side, mounted on the loopback Discord's port: the page itself, its API and its
 * live socket. The Discord paths (`/api/v10`, `/gateway`, `/attachments`) stay the bot's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FakeDiscord, SiteHandler } from '../discord-server/index.js';
import { Members } from './members.js';
import { handleSiteApi } from './site-api.js';
import { SiteSocket } from './site-socket.js';
import { serveStatic } from './static-files.js';

export class PlaygroundSite implements SiteHandler {
  readonly members: Members;
  private readonly socket: SiteSocket;

  constructor(private readonly discord: FakeDiscord, private readonly bundleDir: string, private readonly uploadLimitBytes: number) {
    this.members = new Members(discord);
    this.socket = new SiteSocket(discord, this.members);
  }

  async request(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const api = { discord: this.discord, members: this.members, uploadLimitBytes: this.uploadLimitBytes, onJoin: () => this.socket.membersChanged() };
    if (await handleSiteApi(api, req, res, url)) return true;
    return req.method === 'GET' && serveStatic(this.bundleDir, url.pathname, res);
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    return this.socket.upgrade(req, socket, head, url);
  }

  close(): void {
    this.socket.close();
  }
}
