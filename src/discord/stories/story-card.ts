/**
 * The story card: the embed pinned at the top of a story's thread and shown by `/story show` — title,
 * style lock, cast, voting rules and how many scenes have panels.
 */
import { EmbedBuilder } from 'discord.js';
import type { Scene } from '../../core/story/scene.js';
import type { Story } from '../../core/story/story.js';

export function storyCard(story: Story, scenes: Scene[] = []): EmbedBuilder {
  const cast = Object.entries(story.cast).map(([name, m]) => `**${name}** — ${m.description}`).join('\n');
  const panels = scenes.filter((s) => s.panel).length;
  return new EmbedBuilder()
    .setTitle(`📖 ${story.title}${story.ended !== undefined ? ' (ended)' : ''}`)
    .setDescription(`Started by <@${story.ownerId}>. Tell the story here; \`/illustrate\` or a message turns passages into scenes.`)
    .addFields(
      { name: 'Style', value: story.style.style.slice(0, 1000) || '—' },
      { name: 'Avoid', value: story.style.negative.slice(0, 1000) || '—' },
      { name: 'Cast', value: cast.slice(0, 1000) || 'Nobody yet — `/story cast` adds characters.' },
      { name: 'Voting', value: `closes at ${story.voting.quorum} voters or after ${story.voting.deadlineMinutes} min`, inline: true },
      { name: 'Panels', value: `${panels} of ${scenes.length} scenes`, inline: true },
    );
}
