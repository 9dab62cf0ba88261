/**
 * Delivers finished media jobs (animate, stylize, storyboard exports) as a file posted in the channel
 * they were asked in, with a ping for the member who asked; failures become one sentence. Files over
 * the upload limit are named with their size instead of failing silently. Posted once per job, so a
 * repeat delivery (its bot was killed mid-delivery) does not post the file again.
 */
import { AttachmentBuilder } from 'discord.js';
import { explainFailure, type RenderOutcome } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { summary } from '../drafts/draft-view.js';
import { postBotMessage } from '../drafts/message-post.js';
import { postOnce } from '../post-once.js';

const WHAT: Record<string, string> = { animate: 'animation', stylize: 'stylized clip', slideshow: 'slideshow', html: 'picture book' };

export async function deliverMedia(ctx: BotContext, outcome: RenderOutcome): Promise<void> {
  const data = outcome.data as { userId: string; channel: { channelId: string; messageId?: string }; format?: string };
  const what = WHAT[outcome.name === 'storyboard' ? (data.format ?? '') : outcome.name] ?? 'storyboard';
  const mention = { allowedMentions: { users: [data.userId] } };
  if (outcome.state === 'failed') {
    const sentence = summary(explainFailure(outcome.reason, 'again').sentence, 400);
    await postOnce(ctx, outcome.jobId, () => postBotMessage(ctx.client, data.channel.channelId, { content: `<@${data.userId}> your ${what} could not be made: ${sentence}`, ...mention }, data.channel.messageId));
    return;
  }
  const keys = outcome.result.keys;
  if (keys.length === 0) throw new Error(`${outcome.name} job ${outcome.jobId} finished without a file`);
  // An animation comes as the MP4 and its GIF preview: post every file that fits the upload limit.
  const files: AttachmentBuilder[] = [];
  const tooLarge: string[] = [];
  for (const key of keys) {
    const bytes = await ctx.blobs.get(key);
    const ext = key.split('.').pop();
    if (bytes.length > ctx.config.UPLOAD_LIMIT_BYTES) tooLarge.push(`${ext?.toUpperCase()} ${(bytes.length / 1024 / 1024).toFixed(1)} MB`);
    else files.push(new AttachmentBuilder(bytes, { name: `${outcome.name}.${ext}` }));
  }
  if (files.length === 0) {
    const content = `<@${data.userId}> your ${what} is over this server's upload limit (${tooLarge.join(', ')}); try fewer seconds or the sheet format.`;
    await postOnce(ctx, outcome.jobId, () => postBotMessage(ctx.client, data.channel.channelId, { content, ...mention }));
    return;
  }
  const left = tooLarge.length > 0 ? ` (left out, over the upload limit: ${tooLarge.join(', ')})` : '';
  // What the worker wants the member to know (frames the safety checker blurred, no model installed).
  const warnings = outcome.result.warnings?.length ? ` ${summary(outcome.result.warnings.join(' '), 300)}` : '';
  const note = `${left}${warnings}`;
  await postOnce(ctx, outcome.jobId, () => postBotMessage(ctx.client, data.channel.channelId, { content: `<@${data.userId}> here is your ${what}.${note}`, files, ...mention }, data.channel.messageId));
}
