/**
 * The buttons under a draft message (custom_id prefix `draft`): Pick n (a vote, the panel when there
 * is no vote, or — outside the story plan — the picture posted full size on its own), Variations n (an
 * img2img of that picture), Reroll (same prompt, new seed), Refine (opens the modal), Animate (the
 * picture as a short clip), Upscale (2x, redrawn at low strength), Cancel and, under a failed
 * draft, Retry (the same request queued again). Each click
 * acknowledges within 3 s (a deferred ephemeral reply, or the modal) and then looks its draft up in
 * the store, so buttons work after a restart.
 */
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import type { Draft } from '../../core/story/draft.js';
import { cancelRender } from '../../queue/index.js';
import type { BotContext } from '../bot-context.js';
import { contentScope } from '../content/content-scope.js';
import { draftHere } from '../drafts/draft-access.js';
import { newId } from '../drafts/draft-service.js';
import { animationOf, animationRules, motionWords } from '../media/media-requests.js';
import { failedView } from '../drafts/draft-view.js';
import { postPickedPicture } from '../drafts/picked-picture.js';
import { editBotMessage, postBotMessage } from '../drafts/message-post.js';
import { canManageStory } from '../stories/story-access.js';
import { UserError, UserErrorId } from '../user-error.js';
import { parseDraftButtonId, type DraftButtonId } from './draft-button-id.js';
import { refineModal } from './refine-modal.js';

export const draftButtons = {
  parse: parseDraftButtonId,
  async run(interaction: ButtonInteraction, id: DraftButtonId, ctx: BotContext): Promise<void> {
    if (id.action === 'refine') {
      // The modal's submit checks the draft (refine-modal.ts); showing it must happen within 3 s.
      await interaction.showModal(refineModal(id.draftId, id.variant));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const draft = await draftHere(ctx, id.draftId, interaction.guildId, interaction.message.id);
    const reply = (content: string) => interaction.editReply({ content });
    const postReply = (view: Parameters<typeof postBotMessage>[2]) => postBotMessage(ctx.client, interaction.channelId, view, interaction.message.id);
    const variant = id.variant ?? 0;
    switch (id.action) {
      case 'pick':
        return void (await reply(await pick(ctx, interaction, draft, variant)));
      case 'vary': {
        await ctx.drafts.queueRefine(
          { userId: interaction.user.id, guildId: interaction.guildId ?? undefined, parent: draft, variant, prompt: draft.prompt, negative: draft.negativePrompt, edits: ['variation'], strength: 0.5 },
          postReply,
        );
        return void (await reply(`Variations of picture ${variant + 1} are on their way; they will be posted as a reply.`));
      }
      case 'reroll': {
        const story = draft.storyId ? await ctx.stories.getStory(draft.storyId) : undefined;
        const scene = draft.sceneId ? await ctx.stories.getScene(draft.sceneId) : undefined;
        await ctx.drafts.queueDraft({ userId: interaction.user.id, guildId: interaction.guildId ?? undefined, story, scene, prompt: draft.prompt, negative: draft.negativePrompt, init: draft.init }, postReply);
        return void (await reply('Drawing it again with a new seed; the new draft will be posted as a reply.'));
      }
      case 'animate': {
        const scene = draft.sceneId ? await ctx.stories.getScene(draft.sceneId) : undefined;
        const animation = animationOf(draft, variant, { action: scene?.action });
        const rules = animationRules(await contentScope(ctx, interaction.guildId, interaction.channel), animation.negative);
        await ctx.queue.enqueue('animate', {
          v: 1, requestId: newId(), userId: interaction.user.id, storyId: draft.storyId,
          channel: { channelId: interaction.channelId, messageId: interaction.message.id }, ...animation, ...rules, seconds: 4,
        });
        return void (await reply(`Animating picture ${variant + 1} (camera: ${motionWords(animation.motion)}); the clip will be posted here.`));
      }
      case 'upscale':
        await ctx.drafts.queueUpscale({ userId: interaction.user.id, guildId: interaction.guildId ?? undefined, parent: draft, variant }, postReply);
        return void (await reply(`Upscaling picture ${variant + 1} to twice its size; it will be posted as a reply.`));
      case 'cancel':
        return void (await reply(await cancel(ctx, interaction, draft)));
      case 'retry': {
        await assertMayChange(ctx, interaction, draft, 'retry');
        const next = await ctx.drafts.retry(draft, postReply);
        return void (await reply(`Queued again (draft ${next.id}).`));
      }
    }
  },
};

async function pick(ctx: BotContext, interaction: ButtonInteraction, draft: Draft, variant: number): Promise<string> {
  const round = await ctx.stories.getVoteRound(draft.id);
  if (round && !round.closed) {
    const outcome = await ctx.votes.vote(round.id, interaction.user.id, variant);
    if (outcome === 'recorded') return `Your vote for picture ${variant + 1} is counted; voting again replaces it.`;
    return 'This vote has closed.';
  }
  const story = draft.storyId ? await ctx.stories.getStory(draft.storyId) : undefined;
  if (!story || !draft.sceneId) {
    const outcome = await postPickedPicture(ctx, draft, variant, interaction.user.id, interaction.channelId, interaction.message.id);
    if ('posted' in outcome) return `Picture ${variant + 1} is posted full size: ${outcome.posted.url}`;
    return `Picture ${variant + 1} is already posted full size${outcome.alreadyAt ? `: ${outcome.alreadyAt}` : '.'}`;
  }
  if (draft.requestedBy !== interaction.user.id && !canManageStory(story, interaction.user.id, interaction.memberPermissions)) {
    throw new UserError(UserErrorId.NotStoryManager, 'Only the member who asked for this draft, the story owner or a moderator can make it the panel.');
  }
  if (!draft.blobKeys[variant]) throw new UserError(UserErrorId.DraftNotReady, 'That draft is not finished yet.');
  await ctx.votes.makePanel(draft, variant, 0, { channelId: interaction.channelId, messageId: interaction.message.id }, `by <@${interaction.user.id}>`);
  return `Picture ${variant + 1} is now the scene's panel.`;
}

/** Cancel and Retry belong to the member who asked, the story owner and moderators. */
async function assertMayChange(ctx: BotContext, interaction: ButtonInteraction, draft: Draft, what: string): Promise<void> {
  const story = draft.storyId ? await ctx.stories.getStory(draft.storyId) : undefined;
  if (draft.requestedBy !== interaction.user.id && !(story && canManageStory(story, interaction.user.id, interaction.memberPermissions))) {
    throw new UserError(UserErrorId.NotStoryManager, `Only the member who asked for this draft, the story owner or a moderator can ${what} it.`);
  }
}

async function cancel(ctx: BotContext, interaction: ButtonInteraction, draft: Draft): Promise<string> {
  await assertMayChange(ctx, interaction, draft, 'cancel');
  const outcome = await cancelRender(ctx.queue, draft.id);
  if (outcome === 'removed') {
    // It never ran, so no result will come: show the cancellation here.
    await ctx.progress.finish(draft.id);
    await ctx.stories.saveDraft({ ...draft, status: 'cancelled' });
    const at = await ctx.drafts.locations.of(draft.id);
    if (at) await editBotMessage(ctx.client, at.channelId, at.messageId, failedView(await ctx.drafts.viewInfo(draft), `by <@${interaction.user.id}> before it started`, true));
    return 'Cancelled before it started.';
  }
  if (outcome === 'stopping') return 'Stopping: the render ends at its next step.';
  return outcome === 'finished' ? 'That draft has already finished.' : 'That render is no longer in the queue.';
}
