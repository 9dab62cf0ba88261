/**
 * How a draft looks in Discord at each stage: queued (position and ETA), rendering (progress bar and
 * low-res preview), done (the grid, a prompt summary, steps and time saved, and the buttons) and
 * failed. Pure builders of message payloads; draft-service decides when to send them.
 */
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, type BaseMessageOptions } from 'discord.js';
import type { StepBudget } from '../../core/budget/budget-rule.js';
import type { Draft } from '../../core/story/draft.js';
import { draftButtonId } from '../handlers/draft-button-id.js';

export interface DraftViewInfo {
  draft: Draft;
  /** "Scene 2" or "Draw" or "Refine of ...". */
  heading: string;
  variants: number;
}

const NUMBERS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣'];

/** Shortens text for a summary line. */
export function summary(text: string, max = 180): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;
}

/** A measured duration for people: "340 ms", "3.1 s", "2.5 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

/** A 12-cell text progress bar: "▰▰▰▰▱▱▱▱▱▱▱▱". */
export function progressBar(step: number, total: number, cells = 12): string {
  const done = total > 0 ? Math.min(cells, Math.round((step / total) * cells)) : 0;
  return '▰'.repeat(done) + '▱'.repeat(cells - done);
}

function cancelRow(draftId: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(draftButtonId({ action: 'cancel', draftId })).setLabel('Cancel').setStyle(ButtonStyle.Secondary),
  );
}

export function queuedView(info: DraftViewInfo, position: number | null, etaMs: number | null): BaseMessageOptions {
  const where = position === null ? 'starting' : `#${position} in the queue`;
  const eta = etaMs === null ? '' : ` · ready in ~${seconds(etaMs)}`;
  return {
    content: `🎨 **${info.heading}** for <@${info.draft.requestedBy}> — ${where}${eta}\n> ${summary(info.draft.prompt)}`,
    components: [cancelRow(info.draft.id)],
    allowedMentions: { parse: [] },
  };
}

export function progressView(info: DraftViewInfo, step: number, total: number, etaMs: number, preview?: Buffer): BaseMessageOptions {
  return {
    content: `🎨 **${info.heading}** for <@${info.draft.requestedBy}> — rendering ${progressBar(step, total)} ${step}/${total} · ~${seconds(etaMs)} left\n> ${summary(info.draft.prompt)}`,
    files: preview ? [new AttachmentBuilder(preview, { name: 'preview.png' })] : [],
    components: [cancelRow(info.draft.id)],
    allowedMentions: { parse: [] },
  };
}

export interface DoneFacts {
  grid: Buffer;
  /** Steps the render ran. */
  steps: number;
  /** The step budget the worker chose, with the time its saved steps would have taken. */
  budget?: StepBudget & { msSaved: number };
  warnings: string[];
  voting: boolean;
  /** Pixel size of a one-picture draft, shown beside the steps. */
  size?: { width: number; height: number };
}

export function doneView(info: DraftViewInfo, facts: DoneFacts): BaseMessageOptions {
  const { draft } = info;
  // Named for what it shows ("scene-2.png", "drawing.png"), not by an internal id.
  const file = `${info.heading.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'drawing'}.png`;
  const embed = new EmbedBuilder()
    .setTitle(info.heading.slice(0, 250))
    .setDescription(summary(draft.prompt, 1000))
    .setImage(`attachment://${file}`)
    .addFields({ name: 'Steps', value: stepsLine(facts), inline: true }, { name: 'Seed', value: String(draft.seed), inline: true });
  if (draft.init) embed.addFields({ name: 'Started from', value: `an attached picture, ${Math.round(draft.init.strength * 100)}% redrawn`, inline: true });
  if (facts.size) embed.addFields({ name: 'Size', value: `${facts.size.width}x${facts.size.height}`, inline: true });
  if (draft.negativePrompt) embed.addFields({ name: 'Avoid', value: summary(draft.negativePrompt, 300) });
  if (facts.warnings.length > 0) embed.addFields({ name: 'Notes', value: summary(facts.warnings.join(' '), 500) });
  const n = info.variants;
  const rows = draft.origin ? [pictureRow(draft.id)] : gridRows(draft, n);
  const vote = facts.voting ? `\nVote with ${NUMBERS.slice(0, n).join(' ')} — reply to this message to refine (mask image, \`region:\`, \`add:\`, \`more:\`, \`no:\`).` : '\nReply to this message to refine it.';
  return {
    content: `${doneHeadline(info)}${vote}`,
    embeds: [embed],
    files: [new AttachmentBuilder(facts.grid, { name: file })],
    components: rows,
    allowedMentions: { parse: [] },
  };
}

/** The first line of a finished draft: who it is for, and for a picked picture who picked it. */
function doneHeadline(info: DraftViewInfo): string {
  const { draft } = info;
  if (draft.origin === 'picked') return `🖼️ **${info.heading}** — asked for by <@${draft.requestedBy}>, picked by <@${draft.pickedBy ?? draft.requestedBy}>.`;
  if (draft.origin === 'upscale') return `✅ **${info.heading}**, twice the size, for <@${draft.requestedBy}> is ready.`;
  return `✅ Draft by <@${draft.requestedBy}> is ready.`;
}

const button = (id: string, label: string, style = ButtonStyle.Secondary) => new ButtonBuilder().setCustomId(id).setLabel(label).setStyle(style);

/** Buttons under one picture posted on its own (a picked picture, an upscale): Midjourney's row after U1-U4. */
function pictureRow(draftId: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(draftButtonId({ action: 'vary', draftId, variant: 0 }), 'Variations'),
    button(draftButtonId({ action: 'refine', draftId, variant: 0 }), 'Refine'),
    button(draftButtonId({ action: 'animate', draftId, variant: 0 }), 'Animate'),
    button(draftButtonId({ action: 'upscale', draftId, variant: 0 }), 'Upscale 2x'),
  );
}

/** Buttons under a rendered draft: Pick n, Variations n, then Reroll, Refine, Animate (and Upscale for one picture). */
function gridRows(draft: Draft, n: number): ActionRowBuilder<ButtonBuilder>[] {
  const variants = [...Array(n).keys()];
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(variants.map((v) => button(draftButtonId({ action: 'pick', draftId: draft.id, variant: v }), n > 1 ? `Pick ${v + 1}` : 'Pick', ButtonStyle.Primary))));
  rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(variants.map((v) => button(draftButtonId({ action: 'vary', draftId: draft.id, variant: v }), n > 1 ? `Variations ${v + 1}` : 'Variations'))));
  rows.push(
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      button(draftButtonId({ action: 'reroll', draftId: draft.id }), 'Reroll'),
      button(draftButtonId({ action: 'refine', draftId: draft.id }), 'Refine'),
      button(draftButtonId({ action: 'animate', draftId: draft.id }), 'Animate'),
      ...(n === 1 ? [button(draftButtonId({ action: 'upscale', draftId: draft.id, variant: 0 }), 'Upscale 2x')] : []),
    ),
  );
  return rows;
}

/** "20 of 50 steps · saved 3.1 s" when a step budget chose the steps, else "4 steps". */
export function stepsLine(facts: Pick<DoneFacts, 'steps' | 'budget'>): string {
  const b = facts.budget;
  if (!b) return `${facts.steps} steps`;
  const saved = b.savedSteps > 0 ? ` · saved ${duration(b.msSaved)}` : '';
  return `${b.predictedSteps} of ${b.defaultSteps} steps${saved}`;
}

/** A failed or cancelled draft; `retry` adds a Retry button (the same request, queued again). */
export function failedView(info: DraftViewInfo, reason: string, cancelled: boolean, retry = false): BaseMessageOptions {
  const head = cancelled ? '🚫 Cancelled' : '❌ This draft could not be rendered';
  const retryRow = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(draftButtonId({ action: 'retry', draftId: info.draft.id })).setLabel('Retry').setStyle(ButtonStyle.Primary),
  );
  return {
    content: `${head}: ${summary(reason, 400)}\n> ${summary(info.draft.prompt)}`,
    embeds: [],
    files: [],
    components: retry ? [retryRow] : [],
    allowedMentions: { parse: [] },
  };
}

export const VOTE_EMOJIS = NUMBERS;
