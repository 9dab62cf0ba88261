/**
 * The playground page: join as a member, then a Discord-like channel view - the server's channels and
 * story threads in the sidebar, the open channel's messages kept live over the socket, and the
 * composer. Member actions (commands, buttons, reactions, replies, masks, modals) go to the server's
 * API; what the bot does in answer arrives as socket frames, as it would in Discord.
 */
import type { ButtonView, ChannelView, MessageView, PlaygroundState, SocketFrame } from '../../site/view-types.js';
import { api, ApiError, connectSocket, forgetToken, join, savedToken } from './api.js';
import { Composer } from './composer.js';
import { paintMask } from './mask-painter.js';
import { promptOf, renderMessage, type MessageActions } from './message-view.js';
import { showModal } from './modal-form.js';
import type { InteractionOutcome } from '../../site/view-types.js';

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const NAME_KEY = 'taleframe-playground-name';

let state: PlaygroundState;
let channelId = '';
const messages = new Map<string, MessageView>();
const dismissed = new Set<string>();

const composer = new Composer({
  commands: () => state.commands,
  uploadLimitBytes: () => state.uploadLimitBytes,
  sendMessage: async (content, replyTo, files) => {
    await api.post(channelId, content, replyTo?.id, files);
  },
  runCommand: async (command, files) => {
    outcome(await api.command(channelId, command.command.name, command.subcommand, command.options, files));
  },
});

const actions: MessageActions = {
  button: (message, button) => void act(() => api.button(message.id, button.customId!)),
  react: (message, emoji, add) => void act(async () => {
    await api.react(message.id, emoji, add);
    return {};
  }),
  reply: (message) => composer.replyTo(message),
  paint: (message, url) => void paint(message, url),
  app: (message, name) => void act(() => api.contextMenu(message.id, name)),
  openChannel: (id) => void openChannel(id),
  dismiss: (message) => {
    dismissed.add(message.id);
    document.getElementById(`message-${message.id}`)?.remove();
  },
  apps: () => state.commands.filter((c) => c.type === 3).map((c) => c.name),
};

/** Runs a member action; shows a modal the bot opened, or what went wrong, in the composer's error line. */
async function act(action: () => Promise<InteractionOutcome>): Promise<void> {
  composer.showError('');
  try {
    outcome(await action());
  } catch (error) {
    composer.showError(error instanceof Error ? error.message : String(error));
  }
}

function outcome(result: InteractionOutcome): void {
  if (result.notice) composer.showError(result.notice);
  if (result.modal) {
    const modal = result.modal;
    void showModal(modal).then((fields) => fields && act(() => api.modal(modal.custom_id, fields)));
  }
}

async function paint(message: MessageView, url: string): Promise<void> {
  const grid = message.buttons.some((row) => row.some((b: ButtonView) => b.label === 'Pick 4'));
  const mask = await paintMask(url, grid, `Draft: ${promptOf(message) ?? 'picture'}`);
  if (!mask) return;
  composer.replyTo(message);
  composer.attach(mask.file);
  composer.prefill(mask.variant ? `variant: ${mask.variant}` : '');
}

function channelLabel(id: string): string {
  const channel = state.channels.find((c) => c.id === id);
  return channel ? (channel.parentId ? `🧵 ${channel.name}` : `#${channel.name}`) : '#general';
}

function renderChannels(): void {
  const list = el<HTMLUListElement>('channel-list');
  list.replaceChildren();
  const item = (channel: ChannelView) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = channel.parentId ? 'channel-link thread' : 'channel-link';
    button.textContent = channel.parentId ? `🧵 ${channel.name}` : `# ${channel.name}`;
    if (channel.id === channelId) button.setAttribute('aria-current', 'page');
    button.addEventListener('click', () => void openChannel(channel.id));
    li.append(button);
    return li;
  };
  for (const channel of state.channels.filter((c) => !c.parentId)) {
    list.append(item(channel));
    for (const thread of state.channels.filter((c) => c.parentId === channel.id)) list.append(item(thread));
  }
}

function renderMembers(): void {
  const list = el<HTMLUListElement>('member-list');
  list.replaceChildren(...state.members.map((member) => {
    const li = document.createElement('li');
    li.textContent = member.name + (member.owner ? ' 👑' : '');
    if (member.owner) li.title = 'Server owner';
    return li;
  }));
  el('me').textContent = `You are ${state.me.name}${state.members.find((m) => m.id === state.me.id)?.owner ? ' (server owner)' : ''}`;
}

async function openChannel(id: string): Promise<void> {
  channelId = id;
  el('channel-title').textContent = channelLabel(id);
  composer.setChannelName(channelLabel(id));
  composer.cancelReply();
  closeSidebar();
  renderChannels();
  list.replaceChildren();
  messages.clear();
  following = true;
  for (const message of await api.messages(id)) upsert(message);
  list.scrollTop = list.scrollHeight;
  composer.focus();
}

/** Whether the list follows new messages: true until the member scrolls up to read older ones. */
let following = true;
const list = el<HTMLOListElement>('messages');
list.addEventListener('scroll', () => {
  following = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
});
// Pictures load after their message is drawn; keep the newest message in view while following.
list.addEventListener('load', () => following && (list.scrollTop = list.scrollHeight), true);

/** Adds or redraws a message in place (kept in id order, which is time order). */
function upsert(message: MessageView): void {
  if (message.channelId !== channelId || dismissed.has(message.id)) return;
  const atBottom = following;
  const before = messages.get(message.id);
  const existing = document.getElementById(`message-${message.id}`);
  if (existing && before && JSON.stringify(before) === JSON.stringify(message)) return;
  messages.set(message.id, message);
  const node = renderMessage(message, actions);
  if (existing) {
    // Keep keyboard focus on the same control (or the message) when a message is redrawn.
    const focused = existing.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    existing.replaceWith(node);
    if (focused) ((focused.dataset.key && node.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused.dataset.key)}"]`)) || node).focus();
  } else {
    const later = [...list.children].find((child) => BigInt((child as HTMLElement).dataset.id!) > BigInt(message.id));
    list.insertBefore(node, later ?? null);
  }
  // What the member caused (their message, their command's answer, a private reply) is always brought into view.
  const mine = message.author.id === state.me.id || message.ephemeral || message.interaction?.userName === state.me.name;
  if (atBottom) list.scrollTop = list.scrollHeight;
  else if (mine && !existing) node.scrollIntoView({ block: 'end' });
}

function onFrame(frame: SocketFrame): void {
  if (frame.type === 'message') {
    if (frame.message) upsert(frame.message);
    else if (frame.channelId === channelId) {
      messages.delete(frame.id);
      document.getElementById(`message-${frame.id}`)?.remove();
    }
  } else if (frame.type === 'channels') {
    state.channels = frame.channels;
    renderChannels();
  } else if (frame.type === 'commands') state.commands = frame.commands;
  else if (frame.type === 'members') {
    state.members = frame.members;
    renderMembers();
  }
}

function closeSidebar(): void {
  el('app').classList.remove('sidebar-open');
  el('menu-button').setAttribute('aria-expanded', 'false');
}

/** Loads the server's state; when the server forgot this tab (it restarted), joins again under the same name. */
async function load(): Promise<void> {
  try {
    state = await api.state();
  } catch (error) {
    const name = sessionStorage.getItem(NAME_KEY);
    if (!(error instanceof ApiError && error.status === 401 && name)) throw error;
    forgetToken();
    await join(name);
    state = await api.state();
  }
  el('guild-name').textContent = state.guild.name;
  renderMembers();
  renderChannels();
  await openChannel(channelId && state.channels.some((c) => c.id === channelId) ? channelId : state.channels[0]!.id);
}

async function start(): Promise<void> {
  el('app').hidden = false;
  await load();
  let first = true;
  connectSocket(onFrame, (online) => {
    document.body.classList.toggle('offline', !online);
    if (online && !first) void load(); // catch up on what happened while the socket was down
    first = false;
  });
}

function askName(): void {
  const dialog = el<HTMLDialogElement>('join-dialog');
  const input = el<HTMLInputElement>('join-name');
  el<HTMLFormElement>('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void join(input.value).then(() => {
      sessionStorage.setItem(NAME_KEY, input.value.trim());
      dialog.close();
      return start();
    }).catch((error: Error) => {
      el('join-error').textContent = error.message;
    });
  });
  dialog.addEventListener('cancel', (event) => event.preventDefault());
  dialog.showModal();
}

el('menu-button').addEventListener('click', () => {
  const open = el('app').classList.toggle('sidebar-open');
  el('menu-button').setAttribute('aria-expanded', String(open));
});

if (savedToken()) void start().catch(() => askName());
else askName();
