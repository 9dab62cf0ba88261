/**
 * What `/story style`, `/story cast`, `/story show` and `/story end` do. Changing the story (style,
 * cast, end) is for the owner and members with Manage Messages; the pinned card is edited and shown
 * in the reply so everyone sees the new state.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { addCastMember, findCastMember, type Story } from '../../core/story/story.js';
import type { BotContext } from '../bot-context.js';
import { downloadPolicy, fetchImageAttachment } from '../refine/attachment-check.js';
import { assertCanManageStory, requireStory, storyOfChannel } from './story-access.js';
import { storyCard } from './story-card.js';
import { UserError, UserErrorId } from '../user-error.js';

async function managed(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Story> {
  const story = await requireStory(ctx.stories, interaction.channel);
  assertCanManageStory(story, interaction.user.id, interaction.memberPermissions);
  return story;
}

async function show(interaction: ChatInputCommandInteraction, ctx: BotContext, story: Story, note: string): Promise<void> {
  await ctx.cards.refresh(story.id);
  await interaction.editReply({ content: note, embeds: [storyCard(story, await ctx.stories.listScenes(story.id))] });
}

export async function setStoryStyle(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const story = await managed(interaction, ctx);
  const style = interaction.options.getString('style', true);
  const negative = interaction.options.getString('negative') ?? story.style.negative;
  const next = { ...story, style: { ...story.style, style, negative } };
  await ctx.stories.saveStory(next);
  await show(interaction, ctx, next, 'Style updated; new drafts use it.');
}

export async function addStoryCast(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const story = await managed(interaction, ctx);
  const name = interaction.options.getString('name', true).trim();
  const description = interaction.options.getString('description', true).trim();
  const reference = interaction.options.getAttachment('reference');
  const referencePanelKey = reference ? await ctx.blobs.put((await fetchImageAttachment(reference, downloadPolicy(ctx.config), 'attach a picture of the character')).bytes, 'png') : undefined;
  const existing = findCastMember(story.cast, name);
  // /story cast is the explicit way to change how someone looks, so it replaces an existing entry.
  const base = existing ? Object.fromEntries(Object.entries(story.cast).filter(([k]) => k !== existing.name)) : story.cast;
  const cast = addCastMember(base, name, { description, referencePanelKey, addedBy: interaction.user.id });
  const next = { ...story, cast };
  await ctx.stories.saveStory(next);
  await show(interaction, ctx, next, `${existing ? 'Updated' : 'Added'} **${name}**.`);
}

export async function showStory(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const story = await storyOfChannel(ctx.stories, interaction.channel);
  if (!story) throw new UserError(UserErrorId.NotInStory, 'There is no story here; start one with `/story new`.');
  await show(interaction, ctx, story, '');
}

export async function endStory(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const story = await managed(interaction, ctx);
  const next = { ...story, ended: ctx.now() };
  await ctx.stories.saveStory(next);
  await show(interaction, ctx, next, `"${story.title}" has ended. \`/storyboard\` exports its panels.`);
}
