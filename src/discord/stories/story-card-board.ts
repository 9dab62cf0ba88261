/**
 * Keeps each story's pinned card current: after scenes, panels, cast, style or the story's end
 * change, the card message is edited to show the story as it now is. Refreshes of one story run one
 * after another and each reads the story afresh, so the last edit always shows the newest state even
 * when two passages and a vote finish at once. A card that cannot be edited (deleted, no access) is
 * logged and left alone: the story goes on without it.
 */
import type { BotContext } from '../bot-context.js';
import { editBotMessage } from '../drafts/message-post.js';
import { storyCard } from './story-card.js';

export class StoryCardBoard {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly ctx: BotContext) {}

  /** Edits the story's pinned card to its current state; resolves once that edit is done. */
  refresh(storyId: string | undefined): Promise<void> {
    if (!storyId) return Promise.resolve();
    const next = (this.chains.get(storyId) ?? Promise.resolve()).then(() => this.edit(storyId));
    this.chains.set(storyId, next);
    void next.finally(() => {
      if (this.chains.get(storyId) === next) this.chains.delete(storyId);
    });
    return next;
  }

  private async edit(storyId: string): Promise<void> {
    const { ctx } = this;
    try {
      const story = await ctx.stories.getStory(storyId);
      if (!story?.cardMessageId) return;
      const scenes = await ctx.stories.listScenes(story.id);
      await editBotMessage(ctx.client, story.threadId ?? story.channelId, story.cardMessageId, { embeds: [storyCard(story, scenes)] });
    } catch (error) {
      ctx.log.warn({ err: error, story: storyId }, 'could not update the pinned story card');
    }
  }
}
