/**
 * `/story new`: a Story record with a fresh base seed and the server's voting defaults, a public
 * thread for it (when started in a text channel), and the story card posted and pinned there (its
 * message id is kept so the card can be edited as the story grows).
 */
import { randomInt } from 'node:crypto';
import { ChannelType, type ChatInputCommandInteraction } from 'discord.js';
import type { Story } from '../../core/story/story.js';
import type { BotContext } from '../bot-context.js';
import { newId } from '../drafts/draft-service.js';
import { UserError, UserErrorId } from '../user-error.js';
import { readGuildSettings } from './guild-settings.js';
import { storyCard } from './story-card.js';

export interface NewStoryInput {
  title: string;
  style: string;
  negative: string;
}

export async function startStory(interaction: ChatInputCommandInteraction, ctx: BotContext, input: NewStoryInput): Promise<Story> {
  const channel = interaction.channel;
  if (!interaction.guildId || !channel || (channel.type !== ChannelType.GuildText && !channel.isThread())) {
    throw new UserError(UserErrorId.WrongChannel, 'Start a story in a server text channel.');
  }
  const settings = await readGuildSettings(ctx.redis, ctx.keyPrefix, interaction.guildId);
  const thread = channel.type === ChannelType.GuildText ? await channel.threads.create({ name: input.title.slice(0, 100), reason: `Taleframe story by ${interaction.user.username}` }) : undefined;
  const width = settings.size ?? ctx.config.RENDER_WIDTH;
  const height = settings.size ?? ctx.config.RENDER_HEIGHT;
  const story: Story = {
    id: newId(),
    title: input.title,
    ownerId: interaction.user.id,
    guildId: interaction.guildId,
    channelId: thread ? channel.id : (channel.isThread() ? (channel.parentId ?? channel.id) : channel.id),
    threadId: thread?.id ?? (channel.isThread() ? channel.id : undefined),
    createdAt: ctx.now(),
    style: {
      style: input.style,
      negative: input.negative,
      baseSeed: randomInt(0, 2 ** 32 - 1),
      width: width - (width % 8),
      height: height - (height % 8),
    },
    cast: {},
    voting: { quorum: settings.quorum, deadlineMinutes: settings.deadlineMinutes },
  };
  await ctx.stories.saveStory(story);
  const home = thread ?? channel;
  const card = await home.send({ embeds: [storyCard(story)] });
  await card.pin().catch((error: unknown) => ctx.log.warn({ err: error }, 'could not pin the story card'));
  // Read back before saving: a passage posted in the new thread at once may already have changed the story.
  const saved = (await ctx.stories.getStory(story.id)) ?? story;
  await ctx.stories.saveStory({ ...saved, cardMessageId: card.id });
  return { ...saved, cardMessageId: card.id };
}
