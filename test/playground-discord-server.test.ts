/**
 * Tests for the fake Discord with the real, unmodified discord.js Client logged into it: login and guild
 * cache, replies with files, deferred edits and follow-ups, buttons, modals, reactions with partials,
 * user uploads, token deadlines (10062 / 50027), threads, pins, intents gating and gateway resume.
 */
import { once } from 'node:events';
import { constants as zlibConstants, createInflate } from 'node:zlib';
import { WebSocket } from 'ws';
import sharp from 'sharp';
import {
  ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, ChannelType, Client, DiscordAPIError, Events,
  GatewayIntentBits, MessageFlags, ModalBuilder, Partials, TextInputBuilder, TextInputStyle,
  type Interaction, type Message, type TextChannel,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord, Intent } from '../src/playground/discord-server/index.js';
import { gate } from '../src/playground/discord-server/gateway.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let discord: FakeDiscord;
let client: Client;
let onInteraction: ((interaction: Interaction) => Promise<void>) | undefined;
const handlerErrors: unknown[] = [];

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
}

function textChannel(name = 'general'): TextChannel {
  return client.channels.cache.get(discord.channelId(name)) as TextChannel;
}

beforeAll(async () => {
  discord = await FakeDiscord.start({ guilds: [{ name: 'Story Club', channels: ['general', 'art'], users: ['alice', 'bob'] }] });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.MessageContent],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    ...discord.clientOptions(),
  });
  client.on(Events.InteractionCreate, (interaction) => {
    onInteraction?.(interaction).catch((error: unknown) => handlerErrors.push(error));
  });
  const ready = once(client, Events.ClientReady);
  await client.login(discord.token);
  await ready;
  await client.application!.commands.set([
    { name: 'draw', description: 'Draw a panel', options: [{ type: 3, name: 'prompt', description: 'What to draw', required: true }] },
    { name: 'story', description: 'Stories', options: [{ type: 1, name: 'new', description: 'Start one', options: [{ type: 4, name: 'steps', description: 'Steps' }] }] },
    { name: 'Refine draft', type: 3 },
    { name: 'refine', description: 'Refine an image', options: [{ type: 11, name: 'image', description: 'Image', required: true }] },
  ]);
});

afterEach(() => {
  onInteraction = undefined;
  expect(discord.errors).toEqual([]);
});

afterAll(async () => {
  await client?.destroy();
  await discord?.close();
});

describe('fake Discord with the real discord.js client', () => {
  it('logs in: gateway info over REST, READY, guild cache, recorded intents', () => {
    expect(client.isReady()).toBe(true);
    expect(client.user!.id).toBe(discord.bot.id);
    const guild = client.guilds.cache.get(discord.guild().id)!;
    expect(guild.name).toBe('Story Club');
    expect(guild.channels.cache.get(discord.channelId('art'))?.type).toBe(ChannelType.GuildText);
    expect(guild.members.cache.get(discord.bot.id)?.user.bot).toBe(true);
    expect(discord.identifies[0].intents).toBe(Number(client.options.intents.bitfield));
    expect(discord.calls.some((c) => c.method === 'GET' && c.path === '/gateway/bot' && c.status === 200)).toBe(true);
    expect(discord.commands().map((c) => c.name).sort()).toEqual(['Refine draft', 'draw', 'refine', 'story']);
  });

  it('records a type 4 reply with a PNG attachment', async () => {
    let repliedId: string | undefined;
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const file = new AttachmentBuilder(await png(8, 6), { name: 'panel.png' });
      const response = await interaction.reply({ content: `drew ${interaction.options.getString('prompt', true)}`, files: [file], withResponse: true });
      repliedId = response.resource?.message?.id;
    };
    const handle = discord.invokeSlash(discord.user('alice'), discord.channelId(), 'draw', { prompt: 'a fox' });
    const callback = await handle.callback();
    expect(callback.type).toBe(4);
    expect(callback.files[0].data.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect((await sharp(callback.files[0].data).metadata()).width).toBe(8);
    const original = handle.original()!;
    expect(original.content).toBe('drew a fox');
    await expect.poll(() => repliedId).toBe(original.id);
    expect(original.attachments[0]).toMatchObject({ filename: 'panel.png', width: 8, height: 6, content_type: 'image/png' });
    expect(discord.messages(discord.channelId()).some((m) => m.id === original.id)).toBe(true);
  });

  it('passes subcommands and integer options typed by the registered command', async () => {
    let seen = '';
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      seen = `${interaction.options.getSubcommand()}:${interaction.options.getInteger('steps')}`;
      await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    };
    const handle = discord.invokeSlash(discord.user('bob'), discord.channelId(), 'story', { steps: 12 }, 'new');
    await handle.callback();
    expect(seen).toBe('new:12');
    expect(() => discord.invokeSlash(discord.user('bob'), discord.channelId(), 'story', { bogus: 1 }, 'new')).toThrow(/no option/);
  });

  it('resolves attachment options to downloadable files', async () => {
    const image = await png(5, 7);
    let downloaded: Buffer | undefined;
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      const attachment = interaction.options.getAttachment('image', true);
      downloaded = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
      await interaction.editReply(`${attachment.name} ${attachment.width}x${attachment.height}`);
    };
    const handle = discord.invokeSlash(discord.user('alice'), discord.channelId(), 'refine', { image: { name: 'in.png', data: image } });
    expect((await handle.waitForOriginal((m) => m.content !== '')).content).toBe('in.png 5x7');
    expect(downloaded?.equals(image)).toBe(true);
  });

  it('defers, edits the original with a file, and sends an ephemeral follow-up', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await interaction.editReply({ content: 'done', files: [new AttachmentBuilder(await png(4, 4), { name: 'final.png' })] });
      await interaction.followUp({ content: 'psst', flags: MessageFlags.Ephemeral });
    };
    const handle = discord.invokeSlash(discord.user('alice'), discord.channelId(), 'draw', { prompt: 'slowly' });
    expect((await handle.callback()).type).toBe(5);
    const original = await handle.waitForOriginal((m) => m.content === 'done');
    expect(original.attachments).toHaveLength(1);
    const followUp = await handle.waitForFollowUp();
    expect(followUp.flags! & MessageFlags.Ephemeral).toBeTruthy();
    expect(discord.messages(discord.channelId()).some((m) => m.id === followUp.id)).toBe(false);
  });

  it('answers a button click with an update (type 7)', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('vote:1').setLabel('Vote').setStyle(ButtonStyle.Primary));
    const sent = await textChannel().send({ content: 'Pick a panel', components: [row] });
    onInteraction = async (interaction) => {
      if (interaction.isButton() && interaction.customId === 'vote:1') await interaction.update({ content: 'voted', components: [] });
    };
    const handle = discord.clickButton(discord.user('bob'), sent.id, 'vote:1');
    expect((await handle.callback()).type).toBe(7);
    expect(discord.message(sent.id)!.content).toBe('voted');
    expect(() => discord.clickButton(discord.user('bob'), sent.id, 'vote:1')).toThrow(/no component/);
  });

  it('shows a modal (type 9) and receives its submission', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isMessageContextMenuCommand()) {
        const input = new TextInputBuilder().setCustomId('passage').setLabel('Passage').setStyle(TextInputStyle.Paragraph);
        await interaction.showModal(new ModalBuilder().setCustomId('scene').setTitle('Scene').addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input)));
      } else if (interaction.isModalSubmit()) {
        await interaction.reply({ content: `got: ${interaction.fields.getTextInputValue('passage')}` });
      }
    };
    const target = await textChannel().send('A draft');
    const opened = discord.invokeMessageContextMenu(discord.user('alice'), target.id, 'Refine draft');
    expect((await opened.callback()).type).toBe(9);
    const submitted = discord.submitModal(discord.user('alice'), 'scene', { passage: 'Once upon a time' });
    expect((await submitted.callback()).type).toBe(4);
    expect(submitted.original()!.content).toBe('got: Once upon a time');
  });

  it('delivers reactions as messageReactionAdd for uncached messages (partials) and serves reaction users', async () => {
    const sent = await textChannel().send('Vote here');
    await sent.react('⭐');
    textChannel().messages.cache.delete(sent.id);
    const added = once(client, Events.MessageReactionAdd);
    discord.react(discord.user('bob'), sent.id, '👍');
    const [reaction, user] = (await added) as [{ partial: boolean; emoji: { name: string }; message: { id: string } }, { id: string }];
    expect(reaction.emoji.name).toBe('👍');
    expect(reaction.message.id).toBe(sent.id);
    expect(user.id).toBe(discord.user('bob').id);
    expect(discord.reactions(sent.id)).toEqual([
      { emoji: '⭐', userIds: [discord.bot.id] }, { emoji: '👍', userIds: [discord.user('bob').id] },
    ]);
    const fetched = await textChannel().messages.fetch(sent.id);
    const users = await fetched.reactions.cache.get('👍')!.users.fetch();
    expect([...users.keys()]).toEqual([discord.user('bob').id]);
    const removed = once(client, Events.MessageReactionRemove);
    discord.unreact(discord.user('bob'), sent.id, '👍');
    await removed;
  });

  it('delivers a user message with a downloadable attachment and a reply reference', async () => {
    const image = await png(16, 9);
    const botMessage = await textChannel('art').send('Upload your sketch');
    const created = new Promise<Message>((resolve) => client.on(Events.MessageCreate, (m) => m.author.id !== discord.bot.id && resolve(m)));
    discord.postMessage(discord.user('alice'), discord.channelId('art'), {
      content: 'here it is', attachments: [{ name: 'sketch.png', data: image, contentType: 'image/png' }], replyTo: botMessage.id,
    });
    const message = await created;
    expect(message.content).toBe('here it is');
    expect(message.reference?.messageId).toBe(botMessage.id);
    expect(message.mentions.users.has(discord.bot.id)).toBe(true);
    const attachment = message.attachments.first()!;
    expect(attachment).toMatchObject({ name: 'sketch.png', width: 16, height: 9 });
    const downloaded = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
    expect(downloaded.equals(image)).toBe(true);
  });

  it('rejects a callback after 3 s with 10062 and edits after 15 min with 50027', async () => {
    let release!: () => void;
    const late = new Promise<void>((resolve) => { release = resolve; });
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await late;
      await interaction.reply('too late');
    };
    const handle = discord.invokeSlash(discord.user('alice'), discord.channelId(), 'draw', { prompt: 'late' });
    discord.advanceTime(3_001);
    release();
    const call = await discord.waitFor((c) => c.path.startsWith(`/interactions/${handle.id}/`));
    expect(call.status).toBe(404);
    expect(call.response).toEqual({ code: 10062, message: 'Unknown interaction' });
    await expect.poll(() => handlerErrors.length).toBe(1);
    expect((handlerErrors.pop() as DiscordAPIError).code).toBe(10062);

    let editError: unknown;
    let advance!: () => void;
    const later = new Promise<void>((resolve) => { advance = resolve; });
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      await later;
      await interaction.editReply('finally').catch((error: unknown) => { editError = error; });
    };
    const deferred = discord.invokeSlash(discord.user('alice'), discord.channelId(), 'draw', { prompt: 'very late' });
    await deferred.callback();
    discord.advanceTime(15 * 60_000 + 1);
    advance();
    await expect.poll(() => editError).toBeInstanceOf(DiscordAPIError);
    expect((editError as DiscordAPIError).code).toBe(50027);
  });

  it('creates threads and pins messages', async () => {
    const thread = await textChannel().threads.create({ name: 'The Fox and the Crow' });
    expect(thread.isThread()).toBe(true);
    const panel = await thread.send('Panel 1');
    await panel.pin();
    expect(discord.threads().map((t) => t.name)).toContain('The Fox and the Crow');
    expect(discord.pins(thread.id).map((m) => m.id)).toEqual([panel.id]);
    const pins = await thread.messages.fetchPins();
    expect(pins.items.map((item) => item.message.id)).toEqual([panel.id]);
    const starter = await textChannel().send('Story: The Hare');
    const fromMessage = await starter.startThread({ name: 'The Hare' });
    expect(fromMessage.id).toBe(starter.id);
    expect(discord.message(starter.id)!.thread?.id).toBe(starter.id);
  });

  it('strips message content for sessions without MESSAGE_CONTENT unless the bot is mentioned', () => {
    const data = { guild_id: '1', author: { id: '2' }, content: 'secret', mentions: [], attachments: [{ id: '3' }], embeds: [], components: [] };
    expect(gate('MESSAGE_CREATE', data, Intent.GuildMessages, '9')).toMatchObject({ content: '', attachments: [] });
    expect(gate('MESSAGE_CREATE', { ...data, mentions: [{ id: '9' }] }, Intent.GuildMessages, '9')).toMatchObject({ content: 'secret' });
    expect(gate('MESSAGE_CREATE', data, Intent.Guilds, '9')).toBeNull();
    expect(gate('MESSAGE_REACTION_ADD', data, Intent.GuildMessages, '9')).toBeNull();
  });

  it('resumes after a dropped gateway connection and replays missed events', async () => {
    const resumed = once(client, Events.ShardResume);
    discord.disconnectGateway(4000);
    const created = new Promise<Message>((resolve) => client.on(Events.MessageCreate, (m) => m.content === 'while away' && resolve(m)));
    discord.postMessage(discord.user('bob'), discord.channelId(), { content: 'while away' });
    await resumed;
    expect((await created).author.id).toBe(discord.user('bob').id);
  });

  it('speaks zlib-stream when asked and closes 4004 on a bad token', async () => {
    const socket = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = createInflate();
    const texts: string[] = [];
    inflate.on('data', (chunk: Buffer) => texts.push(chunk.toString()));
    const [frame] = (await once(socket, 'message')) as [Buffer];
    expect(frame.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
    inflate.write(frame);
    await new Promise<void>((resolve) => inflate.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    expect(JSON.parse(texts.join(''))).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
    socket.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 0, properties: {} } }));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(4004);
    inflate.close();
  });
});
