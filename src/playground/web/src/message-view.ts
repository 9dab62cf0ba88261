/**
 * Draws one message the way Discord's channel view does: author and time, the command that produced
 * it, the message it replies to, markdown content, pictures (drafts carry their prompt as alt text),
 * animated GIFs and videos, embeds, buttons, reactions with counts and who reacted, and the actions a
 * member can take on it (reply, react, paint a mask, apps). Built from <template>s in index.html.
 */
import type { AttachmentView, ButtonView, EmbedView, MessageView } from '../../site/view-types.js';
import { renderMarkdown } from './markdown.js';

export interface MessageActions {
  button(message: MessageView, button: ButtonView): void;
  react(message: MessageView, emoji: string, add: boolean): void;
  reply(message: MessageView): void;
  paint(message: MessageView, imageUrl: string): void;
  app(message: MessageView, name: string): void;
  openChannel(channelId: string): void;
  dismiss(message: MessageView): void;
  /** Message context-menu commands the bot registered ("Refine draft"). */
  apps(): string[];
}

export const QUICK_REACTIONS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '👍', '❤️', '🎉', '😮'];
const IMAGE = /^image\/(png|gif|jpeg|webp)/;

function template(id: string): HTMLElement {
  const element = (document.getElementById(id) as HTMLTemplateElement).content.firstElementChild!.cloneNode(true);
  return element as HTMLElement;
}

function part<T extends HTMLElement = HTMLElement>(root: HTMLElement, selector: string): T {
  return root.querySelector(selector) as T;
}

/** The prompt a draft message shows (embed description, or the quoted line of a progress message). */
export function promptOf(message: MessageView): string | undefined {
  const embed = message.embeds.find((e) => e.image && e.description);
  if (embed) return embed.description;
  return /^> (.+)$/m.exec(message.content)?.[1];
}

export function renderMessage(message: MessageView, actions: MessageActions): HTMLLIElement {
  const root = template('message-template') as HTMLLIElement;
  root.dataset.id = message.id;
  root.id = `message-${message.id}`;
  root.tabIndex = -1;
  root.classList.toggle('ephemeral', message.ephemeral);
  root.classList.toggle('system', message.type === 6 || message.type === 18);
  if (message.type === 6 || message.type === 18) return renderSystem(root, message, actions);

  part(root, '.avatar').textContent = message.author.name.slice(0, 1).toUpperCase();
  part(root, '.avatar').classList.toggle('bot', message.author.bot);
  part(root, '.author').textContent = message.author.name;
  part(root, '.badge').hidden = !message.author.bot;
  const time = part<HTMLTimeElement>(root, '.time');
  time.dateTime = message.timestamp;
  time.textContent = new Date(message.timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  part(root, '.edited').hidden = !message.edited;
  if (message.reference) {
    const reference = part(root, '.reference');
    reference.hidden = false;
    reference.textContent = `↪ ${message.reference.authorName}: ${message.reference.content || '(attachment)'}`;
    reference.addEventListener('click', () => document.getElementById(`message-${message.reference!.id}`)?.focus());
  }
  if (message.interaction) {
    const interaction = part(root, '.interaction');
    interaction.hidden = false;
    interaction.textContent = message.interaction.command ? `${message.interaction.userName} used /${message.interaction.command}` : `${message.interaction.userName} used a button`;
  }
  const content = part(root, '.content');
  if (message.loading) {
    content.classList.add('loading');
    content.textContent = `${message.author.name} is thinking…`;
  } else renderMarkdown(content, message.content, message.names);

  const embedded = new Set(message.embeds.flatMap((e) => [e.image?.url, e.thumbnail?.url]).filter(Boolean));
  const prompt = promptOf(message);
  for (const attachment of message.attachments) {
    if (!embedded.has(attachment.url)) part(root, '.attachments').append(renderAttachment(attachment, prompt));
  }
  for (const embed of message.embeds) part(root, '.embeds').append(renderEmbed(embed, message));
  for (const row of message.buttons) part(root, '.buttons').append(renderButtonRow(message, row, actions));
  renderReactions(part(root, '.reactions'), message, actions);
  if (message.threadId) {
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'thread-link';
    open.textContent = '🧵 Open the story thread';
    open.addEventListener('click', () => actions.openChannel(message.threadId!));
    part(root, '.buttons').append(open);
  }
  if (message.ephemeral) {
    const note = part(root, '.ephemeral-note');
    note.hidden = false;
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'link';
    dismiss.textContent = 'Dismiss message';
    dismiss.addEventListener('click', () => actions.dismiss(message));
    note.append(' · ', dismiss);
  }
  renderActions(part(root, '.actions'), message, actions);
  return root;
}

function renderSystem(root: HTMLLIElement, message: MessageView, actions: MessageActions): HTMLLIElement {
  root.querySelector('.avatar')!.textContent = message.type === 6 ? '📌' : '🧵';
  const content = part(root, '.content');
  if (message.type === 6) content.textContent = `${message.author.name} pinned a message to this channel.`;
  else {
    content.append(`${message.author.name} started a thread: `);
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = message.content;
    open.addEventListener('click', () => actions.openChannel(message.threadId ?? message.id));
    content.append(open);
  }
  part(root, '.meta').remove();
  return root;
}

function renderAttachment(attachment: AttachmentView, prompt: string | undefined): HTMLElement {
  const type = attachment.contentType ?? '';
  const label = attachment.description ?? (prompt ? `${attachment.filename.startsWith('preview') ? 'Preview of' : 'Picture of'}: ${prompt}` : attachment.filename);
  if (IMAGE.test(type)) {
    const img = document.createElement('img');
    img.src = attachment.url;
    img.alt = label;
    img.loading = 'lazy';
    img.className = 'attachment-image';
    if (attachment.width && attachment.height) {
      img.width = attachment.width;
      img.height = attachment.height;
    }
    return img;
  }
  if (type.startsWith('video/')) {
    const video = document.createElement('video');
    video.src = attachment.url;
    video.controls = true;
    video.loop = true;
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('aria-label', label);
    video.className = 'attachment-video';
    return video;
  }
  const link = document.createElement('a');
  link.href = attachment.url;
  link.target = '_blank';
  link.rel = 'noopener';
  link.className = 'attachment-file';
  link.textContent = `📎 ${attachment.filename} (${Math.max(1, Math.round(attachment.size / 1024))} KB)`;
  return link;
}

function renderEmbed(embed: EmbedView, message: MessageView): HTMLElement {
  const root = template('embed-template');
  if (embed.color !== undefined) root.style.borderLeftColor = `#${embed.color.toString(16).padStart(6, '0')}`;
  const show = (selector: string, text: string | undefined, markdown = false) => {
    if (!text) return;
    const element = part(root, selector);
    element.hidden = false;
    if (markdown) renderMarkdown(element, text, message.names);
    else element.textContent = text;
  };
  show('.embed-author', embed.author);
  show('.embed-title', embed.title);
  show('.embed-description', embed.description, true);
  show('.embed-footer', embed.footer);
  const fields = part(root, '.embed-fields');
  for (const field of embed.fields) {
    const wrapper = document.createElement('div');
    wrapper.className = field.inline ? 'embed-field inline' : 'embed-field';
    const name = document.createElement('dt');
    name.textContent = field.name;
    const value = document.createElement('dd');
    renderMarkdown(value, field.value, message.names);
    wrapper.append(name, value);
    fields.append(wrapper);
  }
  const picture = embed.image ?? embed.thumbnail;
  if (picture) {
    const img = part<HTMLImageElement>(root, '.embed-image');
    img.hidden = false;
    img.src = picture.url;
    img.alt = embed.description ? `Draft: ${embed.description}` : (embed.title ?? 'Picture');
    if (embed.image?.width && embed.image.height) {
      img.width = embed.image.width;
      img.height = embed.image.height;
    }
  }
  return root;
}

function renderButtonRow(message: MessageView, row: ButtonView[], actions: MessageActions): HTMLElement {
  const element = document.createElement('div');
  element.className = 'button-row';
  for (const button of row) {
    const control = document.createElement('button');
    control.type = 'button';
    control.dataset.key = `component:${button.customId ?? button.url}`;
    control.className = `component style-${button.style}`;
    control.textContent = [button.emoji, button.label].filter(Boolean).join(' ');
    control.disabled = button.disabled;
    control.addEventListener('click', () => {
      if (button.url) window.open(button.url, '_blank', 'noopener');
      else actions.button(message, button);
    });
    element.append(control);
  }
  return element;
}

function renderReactions(element: HTMLElement, message: MessageView, actions: MessageActions): void {
  for (const reaction of message.reactions) {
    const control = document.createElement('button');
    control.type = 'button';
    control.dataset.key = `reaction:${reaction.emoji}`;
    control.className = 'reaction';
    control.setAttribute('aria-pressed', String(reaction.me));
    const who = reaction.names.join(', ');
    control.title = `${who} reacted with ${reaction.emoji}`;
    control.setAttribute('aria-label', `${reaction.emoji} ${reaction.count}: ${who}. ${reaction.me ? 'Click to remove yours' : 'Click to add yours'}`);
    const emoji = document.createElement('span');
    emoji.textContent = reaction.emoji;
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = String(reaction.count);
    control.append(emoji, count);
    control.addEventListener('click', () => actions.react(message, reaction.emoji, !reaction.me));
    element.append(control);
  }
}

function renderActions(toolbar: HTMLElement, message: MessageView, actions: MessageActions): void {
  const add = (label: string, text: string, run: () => void) => {
    const control = document.createElement('button');
    control.type = 'button';
    control.dataset.key = `action:${label}`;
    control.textContent = text;
    control.title = label;
    control.setAttribute('aria-label', label);
    control.addEventListener('click', run);
    toolbar.append(control);
    return control;
  };
  add('Add reaction', '☺', () => toggleReactionPicker(toolbar, message, actions));
  if (!message.ephemeral) add('Reply', '↩', () => actions.reply(message));
  const picture = message.embeds.find((e) => e.image)?.image?.url ?? message.attachments.find((a) => IMAGE.test(a.contentType ?? '') && !a.contentType?.includes('gif'))?.url;
  if (picture && !message.ephemeral && message.author.bot) add('Paint a mask to refine', '🖌', () => actions.paint(message, picture));
  // The bot's message apps ("Refine draft") act on its pictures, so they are offered where there is one.
  if (picture && !message.ephemeral) for (const name of actions.apps()) add(`Apps: ${name}`, `⚙ ${name}`, () => actions.app(message, name));
}

function toggleReactionPicker(toolbar: HTMLElement, message: MessageView, actions: MessageActions): void {
  const open = toolbar.querySelector('.reaction-picker');
  if (open) {
    open.remove();
    return;
  }
  const picker = document.createElement('div');
  picker.className = 'reaction-picker';
  picker.setAttribute('role', 'menu');
  for (const emoji of QUICK_REACTIONS) {
    const control = document.createElement('button');
    control.type = 'button';
    control.setAttribute('role', 'menuitem');
    control.textContent = emoji;
    control.setAttribute('aria-label', `React with ${emoji}`);
    control.addEventListener('click', () => {
      picker.remove();
      const mine = message.reactions.find((r) => r.emoji === emoji)?.me ?? false;
      actions.react(message, emoji, !mine);
    });
    picker.append(control);
  }
  toolbar.append(picker);
  (picker.firstElementChild as HTMLElement).focus();
}
