/**
 * A message as the playground page draws it: Discord's message object reduced to what a channel view
 * shows (author names, embeds, attachments, buttons, reactions with who reacted, the message replied to,
 * the command that produced it), with attachment URLs made relative so the page works from any host
 * name the server is reached by.
 */
import type { APIEmbed, APIMessage } from 'discord.js';
import type { FakeDiscord } from '../discord-server/index.js';
import type { ButtonView, EmbedView, MessageView } from './view-types.js';

export type { MessageView } from './view-types.js';

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;

export function messageView(discord: FakeDiscord, message: APIMessage, viewerId: string): MessageView {
  const relative = (url: string) => (url.startsWith(discord.baseUrl) ? url.slice(discord.baseUrl.length) : url);
  const nameOf = (id: string) => discord.world.userById(id)?.name ?? 'someone';
  const displayName = (user: { id: string; username: string; global_name?: string | null }) => user.global_name ?? discord.world.userById(user.id)?.name ?? user.username;
  const view: MessageView = {
    id: message.id,
    channelId: message.channel_id,
    type: message.type,
    author: { id: message.author.id, name: displayName(message.author), bot: message.author.bot === true },
    content: message.content,
    timestamp: message.timestamp,
    edited: message.edited_timestamp !== null,
    ephemeral: ((message.flags ?? 0) & EPHEMERAL) !== 0,
    loading: ((message.flags ?? 0) & LOADING) !== 0,
    pinned: message.pinned,
    embeds: (message.embeds ?? []).map((embed) => embedView(embed, relative)),
    attachments: message.attachments.map((a) => ({
      id: a.id, url: relative(a.url), filename: a.filename, size: a.size,
      ...(a.content_type ? { contentType: a.content_type } : {}), ...(a.width ? { width: a.width, height: a.height ?? undefined } : {}),
      ...(a.description ? { description: a.description } : {}),
    })),
    buttons: buttonRows(message.components),
    reactions: discord.reactions(message).map(({ emoji, userIds }) => ({
      emoji, count: userIds.length, me: userIds.includes(viewerId), names: userIds.map(nameOf),
    })),
    names: {},
  };
  const referenced = message.referenced_message;
  if (referenced) {
    const content = referenced.content.replace(/<@!?(\d+)>/g, (_m, userId: string) => `@${nameOf(userId)}`).slice(0, 200);
    view.reference = { id: referenced.id, authorName: displayName(referenced.author), content };
  }
  const meta = message.interaction_metadata as { user?: { id: string }; name?: string } | undefined;
  if (meta?.user) view.interaction = { userName: nameOf(meta.user.id), ...(meta.name ? { command: meta.name } : {}) };
  if (message.thread) view.threadId = message.thread.id;
  const texts = [message.content, ...view.embeds.flatMap((e) => [e.description ?? '', e.footer ?? '', ...e.fields.map((f) => f.value)])];
  for (const [, id] of texts.join('\n').matchAll(/<@!?(\d+)>/g)) view.names[id!] = nameOf(id!);
  return view;
}

function embedView(embed: APIEmbed, relative: (url: string) => string): EmbedView {
  const view: EmbedView = { fields: (embed.fields ?? []).map((f) => ({ name: f.name, value: f.value, inline: f.inline === true })) };
  if (embed.title) view.title = embed.title;
  if (embed.description) view.description = embed.description;
  if (embed.url) view.url = embed.url;
  if (embed.color !== undefined) view.color = embed.color;
  if (embed.author?.name) view.author = embed.author.name;
  if (embed.footer?.text) view.footer = embed.footer.text;
  if (embed.image?.url) view.image = { url: relative(embed.image.url), ...(embed.image.width ? { width: embed.image.width, height: embed.image.height } : {}) };
  if (embed.thumbnail?.url) view.thumbnail = { url: relative(embed.thumbnail.url) };
  return view;
}

/** Action rows of buttons (type 2); other component kinds are not used by the bot and are left out. */
function buttonRows(components: APIMessage['components']): ButtonView[][] {
  const rows: ButtonView[][] = [];
  for (const row of (components ?? []) as { type: number; components?: Record<string, unknown>[] }[]) {
    if (row.type !== 1) continue;
    const buttons = (row.components ?? []).filter((c) => c.type === 2).map((c) => {
      const emoji = c.emoji as { name?: string } | undefined;
      const button: ButtonView = { style: Number(c.style ?? 2), disabled: c.disabled === true };
      if (typeof c.custom_id === 'string') button.customId = c.custom_id;
      if (typeof c.url === 'string') button.url = c.url;
      if (typeof c.label === 'string') button.label = c.label;
      if (emoji?.name) button.emoji = emoji.name;
      return button;
    });
    if (buttons.length > 0) rows.push(buttons);
  }
  return rows;
}
