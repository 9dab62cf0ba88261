/**
 * Delivers finished media jobs (animate, stylize, storyboard exports) as a file posted in the channel
 * they were asked in, with a ping for the member who asked; failures become one sentence. Files over
 * the upload limit are named with their size instead of failing silently.
 */
import { AttachmentBuilder } from 'discord.js';
import type { RenderOutcome } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { summary } from '../drafts/draft-view.js';
import { postBotMessage } from '../drafts/message-post.js';

const WHAT: Record<string, string> = { animate: 'animation', stylize: 'stylized clip', storyboard: 'storyboard' };

export async function deliverMedia(ctx: BotContext, outcome: RenderOutcome): Promise<void> {
  const data = outcome.data as { userId: string; channel: { channelId: string; messageId?: string } };
  const what = WHAT[outcome.name] ?? outcome.name;
  const mention = { allowedMentions: { users: [data.userId] } };
  if (outcome.state === 'failed') {
    await postBotMessage(ctx.client, data.channel.channelId, { content: `<@${data.userId}> your ${what} could not be made: ${summary(outcome.reason, 300)}`, ...mention }, data.channel.messageId);
    return;
  }
  const key = outcome.result.keys[0];
  if (!key) throw new Error(`${outcome.name} job ${outcome.jobId} finished without a file`);
  const bytes = await ctx.blobs.get(key);
  if (bytes.length > ctx.config.UPLOAD_LIMIT_BYTES) {
    const mb = (bytes.length / 1024 / 1024).toFixed(1);
    await postBotMessage(ctx.client, data.channel.channelId, { content: `<@${data.userId}> your ${what} is ${mb} MB, over this server's upload limit; try fewer seconds or the sheet format.`, ...mention });
    return;
  }
  const ext = key.split('.').pop();
  await postBotMessage(
    ctx.client,
    data.channel.channelId,
    { content: `<@${data.userId}> here is your ${what}.`, files: [new AttachmentBuilder(bytes, { name: `${outcome.name}.${ext}` })], ...mention },
    data.channel.messageId,
  );
}
