/**
 * Sending and editing the bot's own messages with the bot token (channel.send / message edit), which
 * works at any time, unlike an interaction's webhook that expires after 15 minutes. Results of
 * renders always go through here.
 */
import type { BaseMessageOptions, Client, Message, SendableChannels } from 'discord.js';

/** A channel the bot can post in, or undefined when it is gone or not a text channel. */
export async function sendableChannel(client: Client, channelId: string): Promise<SendableChannels | undefined> {
  const channel = await client.channels.fetch(channelId).catch(() => null);
  return channel && channel.isSendable() ? channel : undefined;
}

/** Edits message `messageId` in `channelId` with the bot token; its files replace the old ones. */
export async function editBotMessage(client: Client, channelId: string, messageId: string, view: BaseMessageOptions): Promise<Message> {
  const channel = await sendableChannel(client, channelId);
  if (!channel) throw new Error(`channel ${channelId} is gone or not a text channel`);
  return channel.messages.edit(messageId, { ...view, attachments: [] });
}

/** Posts `view` in `channelId`, as a reply to `replyTo` when given (without failing if it is gone). */
export async function postBotMessage(client: Client, channelId: string, view: BaseMessageOptions, replyTo?: string): Promise<Message> {
  const channel = await sendableChannel(client, channelId);
  if (!channel) throw new Error(`channel ${channelId} is gone or not a text channel`);
  return channel.send({ ...view, ...(replyTo ? { reply: { messageReference: replyTo, failIfNotExists: false } } : {}) });
}
