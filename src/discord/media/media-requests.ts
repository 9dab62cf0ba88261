/**
 * `/animate`, `/stylize` and `/storyboard`: media jobs queued for the workers, results posted later
 * by media-delivery. The storyboard sheet is the exception: a few panels on one picture is quick, so
 * the bot builds it at once with sharp and answers with the file.
 */
import { AttachmentBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { chooseCameraMotion } from '../../core/camera-motion.js';
import type { Draft } from '../../core/story/draft.js';
import { ANIMATE_MOTIONS, type AnimatePayload } from '../../queue/index.js';
import { storyboardSheet } from '../../media/storyboard-sheet.js';
import type { BotContext } from '../bot-context.js';
import { newId } from '../drafts/draft-service.js';
import { fitUpload } from '../drafts/upload-fit.js';
import { downloadAttachment, downloadPolicy } from '../refine/attachment-check.js';
import { requireStory, storyOfChannel } from '../stories/story-access.js';
import { negativeFor } from '../../core/content/content-policy.js';
import { contentScope, refuseBlockedText, type ChannelContentScope } from '../content/content-scope.js';
import { UserError, UserErrorId } from '../user-error.js';

/**
 * The animate job for variant `variant` of a finished draft: its picture, its own prompt and seed (so
 * the redrawn keyframes share the draft's noise), and a camera move chosen from the user's words,
 * else the scene's action (`chooseCameraMotion`).
 */
export function animationOf(draft: Draft, variant: number, motion: { userWords?: string; action?: string }): Pick<AnimatePayload, 'panelKeys' | 'motion' | 'prompt' | 'negative' | 'seed'> {
  const key = draft.blobKeys[variant];
  if (!key) throw new UserError(UserErrorId.DraftNotReady, 'That draft is not finished yet.');
  const chosen = (ANIMATE_MOTIONS as readonly string[]).includes(motion.userWords ?? '')
    ? (motion.userWords as AnimatePayload['motion'])
    : chooseCameraMotion(motion).motion;
  return { panelKeys: [key], motion: chosen, prompt: draft.prompt, negative: draft.negativePrompt || undefined, seed: draft.seeds[variant] };
}

/**
 * The channel's content rules for an animation, wherever it is asked for (/animate, the Animate
 * button): the panel's prompt was checked when it was drawn; the keyframes get the channel's default
 * negative, and the safety checker screens them unless an admin turned it off there.
 */
export function animationRules(scope: ChannelContentScope, negative: string | undefined): Pick<AnimatePayload, 'negative' | 'safetyCheck'> {
  return { negative: negativeFor(scope.ageRestricted, negative ?? '') || undefined, safetyCheck: scope.safetyChecker };
}

/** A camera motion as words: "pan-up" -> "pan up". */
export function motionWords(motion: string): string {
  return motion.replace(/-/g, ' ');
}

export async function requestAnimation(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  const story = await requireStory(ctx.stories, interaction.channel);
  const number = interaction.options.getInteger('panel', true);
  const scene = (await ctx.stories.listScenes(story.id)).find((s) => s.index === number - 1);
  if (!scene?.panel) throw new UserError(UserErrorId.NoSuchPanel, `Scene ${number} has no panel yet; vote on its draft first.`);
  const draft = await ctx.stories.getDraft(scene.panel.draftId);
  if (!draft) throw new UserError(UserErrorId.NoSuchPanel, `Scene ${number}'s draft is gone; pick its panel again.`);
  const animation = animationOf(draft, scene.panel.variant, { userWords: interaction.options.getString('motion') ?? undefined, action: scene.action });
  const rules = animationRules(await contentScope(ctx, interaction.guildId, interaction.channel), animation.negative);
  await ctx.queue.enqueue('animate', {
    v: 1, requestId: newId(), userId: interaction.user.id, storyId: story.id, channel: { guildId: story.guildId, channelId: interaction.channelId },
    ...animation, ...rules, seconds: interaction.options.getInteger('seconds') ?? 4,
  });
  return `Animating scene ${number} (camera: ${motionWords(animation.motion)}); the clip will be posted here.`;
}

export async function requestStylize(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<string> {
  const scope = await contentScope(ctx, interaction.guildId, interaction.channel);
  refuseBlockedText(scope, 'prompt', [{ text: interaction.options.getString('prompt', true) }]);
  const video = interaction.options.getAttachment('video', true);
  if (!video.contentType?.startsWith('video/') && !video.contentType?.startsWith('image/gif')) {
    throw new UserError(UserErrorId.BadAttachment, `"${video.name}" is not a video; attach an MP4, WebM or GIF.`);
  }
  const bytes = await downloadAttachment(video, downloadPolicy(ctx.config));
  const ext = (video.name.split('.').pop() ?? 'mp4').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'mp4';
  const sourceKey = await ctx.blobs.put(bytes, ext);
  const story = await storyOfChannel(ctx.stories, interaction.channel);
  await ctx.queue.enqueue('stylize', {
    v: 1, requestId: newId(), userId: interaction.user.id, storyId: story?.id, channel: { guildId: interaction.guildId ?? undefined, channelId: interaction.channelId },
    sourceKey, style: interaction.options.getString('prompt', true), seed: Math.floor(Math.random() * 2 ** 32), safetyCheck: scope.safetyChecker,
  });
  return 'Stylizing your clip; it will be posted here.';
}

export async function exportStoryboard(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const story = await storyOfChannel(ctx.stories, interaction.channel);
  if (!story) throw new UserError(UserErrorId.NotInStory, 'There is no story here; use /storyboard in a story thread.');
  const scenes = (await ctx.stories.listScenes(story.id)).filter((s) => s.panel);
  if (scenes.length === 0) throw new UserError(UserErrorId.NoSuchPanel, 'No scene has a panel yet; vote on drafts first.');
  const format = (interaction.options.getString('format') ?? 'sheet') as 'sheet' | 'slideshow' | 'html';
  if (format === 'sheet') {
    const panels = await Promise.all(scenes.map(async (s) => ({ png: await ctx.blobs.get(s.panel!.blobKey), caption: s.passage.text })));
    const sheet = await fitUpload(await storyboardSheet(panels, { title: story.title, cellWidth: Math.min(320, story.style.width * 2) }), ctx.config.UPLOAD_LIMIT_BYTES);
    await interaction.editReply({ content: `🗂️ **${story.title}** — ${scenes.length} panel${scenes.length === 1 ? '' : 's'}.`, files: [new AttachmentBuilder(sheet.data, { name: `storyboard.${sheet.ext}` })] });
    return;
  }
  await ctx.queue.enqueue('storyboard', {
    v: 1, requestId: newId(), userId: interaction.user.id, storyId: story.id, channel: { guildId: story.guildId, channelId: interaction.channelId }, title: story.title, format,
    panels: scenes.map((s) => ({ sceneId: s.id, blobKey: s.panel!.blobKey, caption: s.passage.text.slice(0, 2000) })),
  });
  await interaction.editReply(`${format === 'html' ? 'Making the picture book…' : 'Making the slideshow…'} I will post it here when it is ready.`);
}
