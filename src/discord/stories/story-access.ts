/**
 * Finding the story of the channel an interaction or message is in, and the one permission rule:
 * the story owner and members with Manage Messages change style and cast and end stories. Each check
 * throws a UserError with a sentence saying what to do instead.
 */
import { PermissionFlagsBits, type Channel, type PermissionsBitField } from 'discord.js';
import type { Story } from '../../core/story/story.js';
import type { StoryRepository } from '../../store/story-repository.js';
import { UserError, UserErrorId } from '../user-error.js';

/** The story told in `channel` (its thread or the channel itself), if any. */
export async function storyOfChannel(stories: StoryRepository, channel: Channel | null): Promise<Story | undefined> {
  if (!channel) return undefined;
  if (channel.isThread()) return stories.findStoryForChannel(channel.parentId ?? channel.id, channel.id);
  return stories.findStoryForChannel(channel.id);
}

/** Like storyOfChannel, but a running story is required. */
export async function requireStory(stories: StoryRepository, channel: Channel | null): Promise<Story> {
  const story = await storyOfChannel(stories, channel);
  if (!story) throw new UserError(UserErrorId.NotInStory, 'There is no story here; start one with `/story new`, or use this in a story thread.');
  if (story.ended !== undefined) throw new UserError(UserErrorId.StoryEnded, `"${story.title}" has ended; start a new one with \`/story new\`.`);
  return story;
}

/** True for the story owner and for members with Manage Messages. */
export function canManageStory(story: Story, userId: string, permissions: Readonly<PermissionsBitField> | null): boolean {
  return story.ownerId === userId || Boolean(permissions?.has(PermissionFlagsBits.ManageMessages));
}

export function assertCanManageStory(story: Story, userId: string, permissions: Readonly<PermissionsBitField> | null): void {
  if (!canManageStory(story, userId, permissions)) {
    throw new UserError(UserErrorId.NotStoryManager, `Only the story's owner (<@${story.ownerId}>) or members with Manage Messages can do that.`);
  }
}
