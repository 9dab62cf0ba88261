/**
 * The playground's web API and live socket on the loopback Discord, driven over real HTTP and WebSocket
 * with a real discord.js client answering as the bot: members (first = owner), slash commands typed by
 * the registered definitions, ephemeral replies reaching only their member, messages with files and
 * replies, reactions with who reacted, modals from buttons, and the refusals a member sees.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActionRowBuilder, ButtonBuilder, ButtonStyle, Client, Events, GatewayIntentBits, MessageFlags, ModalBuilder, Partials,
  PermissionFlagsBits, TextInputBuilder, TextInputStyle, type Interaction,
} from 'discord.js';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../src/playground/discord-server/index.js';
import { PlaygroundSite } from '../src/playground/site/playground-site.js';
import type { MessageView, PlaygroundState, SocketFrame } from '../src/playground/site/view-types.js';

let discord: FakeDiscord;
let site: PlaygroundSite;
let client: Client;
let bundle: string;
let base: string;
const sockets: WebSocket[] = [];

async function call<T = Record<string, unknown>>(token: string | undefined, method: string, path: string, body?: unknown, files: { field: string; name: string; data: Buffer }[] = []): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = token ? { 'x-playground-member': token } : {};
  let payload: FormData | string | undefined;
  if (files.length > 0) {
    const form = new FormData();
    form.append('payload', JSON.stringify(body ?? {}));
    for (const file of files) form.append(file.field, new Blob([file.data], { type: 'image/png' }), file.name);
    payload = form;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${base}/playground/api${path}`, { method, headers, body: payload });
  return { status: response.status, json: (await response.json()) as T };
}

async function joinAs(name: string): Promise<{ token: string; frames: SocketFrame[] }> {
  const { json } = await call<{ token: string }>(undefined, 'POST', '/members', { name });
  const frames: SocketFrame[] = [];
  const socket = new WebSocket(`${base.replace('http', 'ws')}/playground/socket?token=${json.token}`);
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as SocketFrame));
  sockets.push(socket);
  await once(socket, 'open');
  return { token: json.token, frames };
}

/** The newest view of message `id` a socket has received (undefined: deleted or never seen). */
function lastFrame(frames: SocketFrame[], predicate: (frame: Extract<SocketFrame, { type: 'message' }>) => boolean) {
  return frames.filter((f): f is Extract<SocketFrame, { type: 'message' }> => f.type === 'message').filter(predicate).at(-1);
}

beforeAll(async () => {
  bundle = await mkdtemp(join(tmpdir(), 'taleframe-site-'));
  await writeFile(join(bundle, 'index.html'), '<!doctype html><title>playground</title>');
  discord = await FakeDiscord.start({ guilds: [{ name: 'Taleframe Playground', channels: ['general'] }] });
  site = new PlaygroundSite(discord, bundle, 64 * 1024);
  discord.serveSite(site);
  base = discord.baseUrl;
  client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages], partials: [Partials.Message], ...discord.clientOptions() });
  client.on(Events.InteractionCreate, (interaction) => void answer(interaction));
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  await client.application!.commands.set([
    { name: 'ping', description: 'Ping', options: [{ type: 3, name: 'word', description: 'A word', required: true }, { type: 11, name: 'picture', description: 'A picture' }] },
    { name: 'ask', description: 'Opens a button' },
    { name: 'slow', description: 'Never answers' },
  ], discord.guild().id);
});

/** The stand-in bot: ephemeral pongs saying who may manage, a button that opens a modal, a modal answer. */
async function answer(interaction: Interaction): Promise<void> {
  if (interaction.isChatInputCommand() && interaction.commandName === 'ping') {
    const picture = interaction.options.getAttachment('picture');
    const manager = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ? 'manager' : 'member';
    await interaction.reply({ content: `pong ${interaction.options.getString('word')} ${manager}${picture ? ` ${picture.name}` : ''}`, flags: MessageFlags.Ephemeral });
  } else if (interaction.isChatInputCommand() && interaction.commandName === 'ask') {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('open').setLabel('Open').setStyle(ButtonStyle.Primary));
    await interaction.reply({ content: 'press it', components: [row] });
  } else if (interaction.isButton()) {
    await interaction.showModal(new ModalBuilder().setCustomId('form').setTitle('Say').addComponents(
      new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('text').setLabel('Text').setStyle(TextInputStyle.Short))));
  } else if (interaction.isModalSubmit()) {
    await interaction.reply({ content: `you said ${interaction.fields.getTextInputValue('text')}` });
  }
}

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await client?.destroy();
  site?.close();
  await discord?.close();
  await rm(bundle, { recursive: true, force: true });
});

describe('the playground site', () => {
  it('serves the page, refuses paths outside the bundle, and asks strangers to join first', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>playground</title>');
    expect((await fetch(`${base}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    expect(await call(undefined, 'GET', '/state')).toMatchObject({ status: 401, json: { error: expect.stringMatching(/pick a name/) } });
    expect(await call(undefined, 'POST', '/members', { name: '  ' })).toMatchObject({ status: 400, json: { error: 'Pick a name of 1 to 32 characters.' } });
    expect(await call(undefined, 'POST', '/members', { name: 'Taleframe' })).toMatchObject({ status: 400 });
  });

  it('makes the first member the owner and tells every tab who joined', async () => {
    const alice = await joinAs('Alice');
    const bob = await joinAs('Bob');
    const { json: state } = await call<PlaygroundState>(bob.token, 'GET', '/state');
    expect(state.me).toMatchObject({ name: 'Bob', owner: false });
    expect(state.members).toEqual([expect.objectContaining({ name: 'Alice', owner: true }), expect.objectContaining({ name: 'Bob', owner: false })]);
    expect(state.commands.map((c) => c.name).sort()).toEqual(['ask', 'ping', 'slow']);
    expect(state.channels).toEqual([{ id: discord.channelId('general'), name: 'general' }]);
    await expect.poll(() => alice.frames.some((f) => f.type === 'members' && f.members.length === 2)).toBe(true);

    const general = discord.channelId('general');
    // The owner has every permission; a member has the everyday ones.
    await call(alice.token, 'POST', '/commands', { channelId: general, name: 'ping', options: { word: 'hi' } });
    await call(bob.token, 'POST', '/commands', { channelId: general, name: 'ping', options: { word: 'yo' } }, [{ field: 'option:picture', name: 'fox.png', data: Buffer.from('not really a png') }]);
    await expect.poll(() => lastFrame(alice.frames, (f) => f.message?.content === 'pong hi manager')).toBeDefined();
    await expect.poll(() => lastFrame(bob.frames, (f) => f.message?.content === 'pong yo member fox.png')).toBeDefined();
    // Ephemeral replies reach only their own member, live and in the message list.
    expect(lastFrame(bob.frames, (f) => f.message?.content.startsWith('pong hi') === true)).toBeUndefined();
    const { json: bobSees } = await call<MessageView[]>(bob.token, 'GET', `/channels/${general}/messages`);
    expect(bobSees.map((m) => m.content)).toEqual(['pong yo member fox.png']);
    expect(bobSees[0]).toMatchObject({ ephemeral: true, author: { name: 'Taleframe', bot: true }, interaction: { userName: 'Bob', command: 'ping' } });
  });

  it('posts messages with files and replies, and shows reactions with who reacted', async () => {
    const carol = await joinAs('Carol');
    const dan = await joinAs('Dan');
    const general = discord.channelId('general');
    const { json: first } = await call<{ id: string }>(carol.token, 'POST', '/messages', { channelId: general, content: 'Once upon a time' });
    const { status, json: reply } = await call<{ id: string }>(dan.token, 'POST', '/messages', { channelId: general, content: 'and then', replyTo: first.id },
      [{ field: 'files', name: 'sketch.png', data: Buffer.from('png bytes') }]);
    expect(status).toBe(200);
    await expect.poll(() => lastFrame(carol.frames, (f) => f.id === reply.id)?.message).toBeDefined();
    const view = lastFrame(carol.frames, (f) => f.id === reply.id)!.message!;
    expect(view).toMatchObject({ content: 'and then', reference: { id: first.id, authorName: 'Carol', content: 'Once upon a time' } });
    expect(view.attachments[0]!.url).toMatch(/^\/attachments\//);
    expect(Buffer.from(await (await fetch(`${base}${view.attachments[0]!.url}`)).arrayBuffer()).toString()).toBe('png bytes');

    await call(carol.token, 'PUT', '/reactions', { messageId: first.id, emoji: '1️⃣' });
    await call(dan.token, 'PUT', '/reactions', { messageId: first.id, emoji: '1️⃣' });
    await expect.poll(() => lastFrame(dan.frames, (f) => f.id === first.id)?.message?.reactions).toEqual([{ emoji: '1️⃣', count: 2, me: true, names: ['Carol', 'Dan'] }]);
    await call(carol.token, 'DELETE', '/reactions', { messageId: first.id, emoji: '1️⃣' });
    await expect.poll(() => lastFrame(carol.frames, (f) => f.id === first.id)?.message?.reactions).toEqual([{ emoji: '1️⃣', count: 1, me: false, names: ['Dan'] }]);
  });

  it('returns the modal a button opens, submits it, and says when the bot does not answer', async () => {
    const erin = await joinAs('Erin');
    const general = discord.channelId('general');
    await call(erin.token, 'POST', '/commands', { channelId: general, name: 'ask' });
    await expect.poll(() => lastFrame(erin.frames, (f) => f.message?.content === 'press it')).toBeDefined();
    const asked = lastFrame(erin.frames, (f) => f.message?.content === 'press it')!.message!;
    const { json: clicked } = await call<{ modal: { custom_id: string; title: string } }>(erin.token, 'POST', '/buttons', { messageId: asked.id, customId: 'open' });
    expect(clicked.modal).toMatchObject({ custom_id: 'form', title: 'Say' });
    await call(erin.token, 'POST', '/modals', { customId: 'form', fields: { text: 'hello' } });
    await expect.poll(() => lastFrame(erin.frames, (f) => f.message?.content === 'you said hello')).toBeDefined();
    expect(await call(erin.token, 'POST', '/commands', { channelId: general, name: 'slow' })).toMatchObject({ status: 200, json: { notice: 'The application did not respond.' } });
  });

  it('refuses bad requests with a sentence', async () => {
    const { token } = await joinAs('Fay');
    const general = discord.channelId('general');
    expect(await call(token, 'POST', '/commands', { channelId: general, name: 'ping', options: {} })).toMatchObject({ status: 400, json: { error: '/ping needs option "word".' } });
    expect(await call(token, 'POST', '/commands', { channelId: 'x', name: 'ping' })).toMatchObject({ status: 400, json: { error: 'channelId: is not an id' } });
    expect(await call(token, 'POST', '/messages', { channelId: general, content: '  ' })).toMatchObject({ status: 400, json: { error: 'Write something or attach a file.' } });
    const big = await call(token, 'POST', '/messages', { channelId: general, content: 'big' }, [{ field: 'files', name: 'big.png', data: Buffer.alloc(400 * 1024) }]);
    expect(big).toMatchObject({ status: 413, json: { error: expect.stringMatching(/larger than/) } });
    expect(await call(token, 'POST', '/buttons', { messageId: '123', customId: 'open' })).toMatchObject({ status: 404, json: { error: 'That message is gone.' } });
    expect(discord.errors).toEqual([]);
  });
});
