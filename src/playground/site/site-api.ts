/**
 * The playground page's own API (`/playground/api/...`): joining as a member, reading the server's
 * channels, commands and messages, and acting as that member - running slash and context-menu commands,
 * clicking buttons, submitting modals, posting messages with replies and files, and reacting. Every
 * action goes through the loopback Discord exactly as a Discord client's would, so the bot cannot tell
 * the difference. Interactions wait for the bot's callback and report a modal or a missed deadline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FakeDiscord, FakeFile, InteractionHandle, OptionValue } from '../discord-server/index.js';
import type { Member, Members } from './members.js';
import { messageView } from './message-view.js';
import { parsePayload, readSiteBody, type SiteUpload } from './request-body.js';
import { SiteError } from './site-error.js';
import { channelViews } from './channel-views.js';

export const API_PREFIX = '/playground/api';
const MEMBER_HEADER = 'x-playground-member';
/** How long an action waits for the bot's callback: Discord's 3 s plus a little network slack. */
const CALLBACK_WAIT_MS = 3_500;

const id = z.string().regex(/^\d{1,20}$/, 'is not an id');
const optionValue = z.union([z.string().max(6000), z.number(), z.boolean()]);
const schemas = {
  join: z.object({ name: z.string() }),
  message: z.object({ channelId: id, content: z.string().max(2000).default(''), replyTo: id.optional() }),
  command: z.object({ channelId: id, name: z.string().min(1).max(32), subcommand: z.string().max(65).optional(), options: z.record(z.string(), optionValue).default({}) }),
  contextMenu: z.object({ messageId: id, name: z.string().min(1).max(32) }),
  button: z.object({ messageId: id, customId: z.string().min(1).max(100) }),
  modal: z.object({ customId: z.string().min(1).max(100), fields: z.record(z.string(), z.string().max(4000)) }),
  reaction: z.object({ messageId: id, emoji: z.string().min(1).max(64) }),
};

export interface SiteApiOptions {
  discord: FakeDiscord;
  members: Members;
  uploadLimitBytes: number;
  /** Called after a member joins (the socket tells everyone). */
  onJoin(): void;
}

type Json = Record<string, unknown> | unknown[];

/** Answers `/playground/api/...`; returns false for other paths. */
export async function handleSiteApi(options: SiteApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) return false;
  const route = `${req.method} ${url.pathname.slice(API_PREFIX.length)}`;
  try {
    sendJson(res, 200, await answer(options, route, req, url));
  } catch (error) {
    if (error instanceof SiteError) sendJson(res, error.status, { error: error.message });
    else throw error;
  }
  return true;
}

async function answer(options: SiteApiOptions, route: string, req: IncomingMessage, url: URL): Promise<Json> {
  const { discord, members } = options;
  const bodyOf = () => readSiteBody(req, options.uploadLimitBytes + 256 * 1024);
  if (route === 'POST /members') {
    const member = members.join(parsePayload(schemas.join, (await bodyOf()).payload).name);
    options.onJoin();
    return { token: member.token, me: members.list().find((m) => m.id === member.user.id)! };
  }
  const member = members.byTokenOf(String(req.headers[MEMBER_HEADER] ?? ''));
  if (!member) throw new SiteError('Join the playground first (pick a name).', 401);
  const user = member.user;

  const messages = /^GET \/channels\/(\d+)\/messages$/.exec(route);
  if (messages) {
    if (!discord.channel(messages[1]!)) throw new SiteError('There is no such channel.', 404);
    return discord.messagesFor(messages[1]!, user).map((m) => messageView(discord, m, user.id));
  }
  switch (route) {
    case 'GET /state':
      return {
        me: members.list().find((m) => m.id === user.id)!, guild: { name: discord.guild().name }, channels: channelViews(discord),
        commands: discord.commands(), members: members.list(), uploadLimitBytes: options.uploadLimitBytes,
      };
    case 'POST /messages': {
      const body = await bodyOf();
      const input = parsePayload(schemas.message, body.payload);
      requireChannel(discord, input.channelId);
      if (input.replyTo && !discord.visibleMessage(input.replyTo, user)) throw new SiteError('The message you replied to is gone.');
      if (!input.content.trim() && body.files.length === 0) throw new SiteError('Write something or attach a file.');
      const posted = friendly(() => discord.postMessage(user, input.channelId, {
        content: input.content, attachments: body.files.map(fakeFile), ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      }));
      return { id: posted.id };
    }
    case 'POST /commands': {
      const body = await bodyOf();
      const input = parsePayload(schemas.command, body.payload);
      requireChannel(discord, input.channelId);
      const values: Record<string, OptionValue> = { ...input.options };
      for (const file of body.files) {
        if (file.field.startsWith('option:')) values[file.field.slice('option:'.length)] = fakeFile(file);
      }
      return settle(friendly(() => discord.invokeSlash(user, input.channelId, input.name, values, input.subcommand)));
    }
    case 'POST /context-menu': {
      const input = parsePayload(schemas.contextMenu, (await bodyOf()).payload);
      visible(discord, member, input.messageId);
      return settle(friendly(() => discord.invokeMessageContextMenu(user, input.messageId, input.name)));
    }
    case 'POST /buttons': {
      const input = parsePayload(schemas.button, (await bodyOf()).payload);
      visible(discord, member, input.messageId);
      return settle(friendly(() => discord.clickButton(user, input.messageId, input.customId)));
    }
    case 'POST /modals': {
      const input = parsePayload(schemas.modal, (await bodyOf()).payload);
      return settle(friendly(() => discord.submitModal(user, input.customId, input.fields)));
    }
    case 'PUT /reactions':
    case 'DELETE /reactions': {
      const input = parsePayload(schemas.reaction, (await bodyOf()).payload);
      visible(discord, member, input.messageId);
      friendly(() => (route.startsWith('PUT') ? discord.react(user, input.messageId, input.emoji) : discord.unreact(user, input.messageId, input.emoji)));
      return {};
    }
    default:
      throw new SiteError('There is no such playground request.', 404);
  }
}

/** Waits for the bot's callback; reports a modal it opened, or that it did not answer in time. */
async function settle(handle: InteractionHandle): Promise<Json> {
  try {
    const callback = await handle.callback(CALLBACK_WAIT_MS);
    return callback.type === 9 ? { modal: callback.data ?? {} } : {};
  } catch {
    return { notice: 'The application did not respond.' };
  }
}

/** Runs an action of the loopback Discord, turning its refusals into sentences for the member. */
function friendly<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === 40005) throw new SiteError('That file is larger than the upload limit.', 413);
    const message = error instanceof Error ? error.message.replace(/^fake-discord: /, '') : String(error);
    throw new SiteError(message.charAt(0).toUpperCase() + message.slice(1).replace(/([^.])$/, '$1.'));
  }
}

function requireChannel(discord: FakeDiscord, channelId: string): void {
  if (!discord.channel(channelId)) throw new SiteError('There is no such channel.', 404);
}

function visible(discord: FakeDiscord, member: Member, messageId: string): void {
  if (!discord.visibleMessage(messageId, member.user)) throw new SiteError('That message is gone.', 404);
}

function fakeFile(upload: SiteUpload): FakeFile {
  return { name: upload.name.slice(0, 200), data: upload.data, ...(upload.contentType ? { contentType: upload.contentType } : {}) };
}

function sendJson(res: ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' }).end(text);
}
