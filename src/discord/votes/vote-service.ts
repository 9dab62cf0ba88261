/**
 * Votes on scene drafts in Discord. A finished scene draft opens a round (rules from its story:
 * quorum and deadline), gets the 1️⃣-4️⃣ reactions, and a timer for the deadline. Reactions and the
 * Pick buttons cast votes through the store (one per member, newest wins). Removing a reaction
 * withdraws that vote; when a member moves their vote the bot removes their old reaction if it may
 * manage messages, so the reactions keep matching the tally. The round closes at the quorum or the
 * deadline and the winner becomes the scene's panel, announced with its picture.
 * Open rounds are indexed in Redis by deadline, so `rearm()` at start re-syncs their tallies from the
 * message's reactions (members may have voted while the bot was down) and re-arms their timers.
 */
import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder, PermissionFlagsBits, Routes, type Message } from 'discord.js';
import type { Draft, Panel } from '../../core/story/draft.js';
import { closingReasonAt, deadlineOf, openVoteRound, type CloseReason, type Vote, type VoteRound } from '../../core/story/votes.js';
import type { CastVoteOutcome, WithdrawVoteOutcome } from '../../store/story-repository.js';
import type { BotContext } from '../bot-context.js';
import type { MessageLocation } from '../drafts/draft-locations.js';
import { VOTE_EMOJIS } from '../drafts/draft-view.js';
import { draftButtonId } from '../handlers/draft-button-id.js';
import { postBotMessage, sendableChannel } from '../drafts/message-post.js';
import { ReactionLane } from './reaction-lane.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How a closed vote chose its panel, for people.
 * @example chosenBy(2, 'quorum') // "by 2 votes — enough to decide"
 */
export function chosenBy(votes: number, reason: CloseReason): string {
  const count = `by ${votes} vote${votes === 1 ? '' : 's'}`;
  if (reason === 'quorum') return `${count} — enough to decide`;
  if (reason === 'deadline') return `${count} when the time for voting ran out`;
  return `${count} when the story's owner closed the vote`;
}

export class VoteService {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Vote reactions wait here, so a burst of them never delays an interaction (reaction-lane.ts). */
  private readonly reactions = new ReactionLane();

  constructor(private readonly ctx: BotContext) {}

  private get openKey(): string {
    return `${this.ctx.keyPrefix}open-rounds`;
  }

  /** Opens the round of a finished scene draft and adds the number reactions. */
  async openRound(draft: Draft, at: MessageLocation): Promise<void> {
    const { ctx } = this;
    const story = draft.storyId ? await ctx.stories.getStory(draft.storyId) : undefined;
    if (!story) return;
    const round = openVoteRound({
      id: draft.id, storyId: story.id, sceneId: draft.sceneId, draftId: draft.id, ownerId: story.ownerId,
      variants: draft.blobKeys.length, rules: story.voting, openedAt: ctx.now(),
    });
    // A delivery retried after a Redis outage finds its round stored already: it still indexes, arms
    // and reacts (all idempotent), since the first try may have stopped anywhere after the store.
    const stored = (await ctx.stories.openVoteRound(round)) ? round : await ctx.stories.getVoteRound(round.id);
    if (!stored || stored.closed) return;
    await ctx.redis.zadd(this.openKey, deadlineOf(stored), stored.id);
    // Armed before reacting: a failed reaction must not leave the round without its deadline.
    this.arm(stored);
    try {
      const message = await this.message(at);
      for (const emoji of VOTE_EMOJIS.slice(0, stored.variants)) await message?.react(emoji);
    } catch (error) {
      // Missing Add Reactions permission or a deleted message: the Pick buttons still vote.
      ctx.log.warn({ err: error, round: stored.id }, 'could not add the vote reactions');
    }
  }

  /**
   * A reaction added (or removed) by `userId` on message `messageId`, counted in its turn in the
   * reaction lane; anything that is not a vote is dropped here, at no cost.
   */
  queueReaction(messageId: string, emoji: string | null, userId: string, added: boolean): void {
    if (!VOTE_EMOJIS.includes(emoji ?? '') || userId === this.ctx.client.user?.id) return;
    this.reactions.push(`${messageId}:${userId}`, async () => {
      try {
        if (added) await this.onReaction(messageId, emoji, userId);
        else await this.onReactionRemoved(messageId, emoji, userId);
      } catch (error) {
        this.ctx.log.error({ err: error, message: messageId }, added ? 'counting a vote failed' : 'withdrawing a vote failed');
      }
    });
  }

  /** Waits (at most `timeoutMs`) for the reactions received so far to be counted; for a stopping bot. */
  async drainReactions(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.reactions.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** A reaction added by `userId` on message `messageId`; ignores anything that is not a vote. */
  async onReaction(messageId: string, emoji: string | null, userId: string): Promise<void> {
    const variant = VOTE_EMOJIS.indexOf(emoji ?? '');
    if (variant < 0 || userId === this.ctx.client.user?.id) return;
    const draftId = await this.ctx.drafts.locations.draftOfMessage(messageId);
    if (draftId) await this.vote(draftId, userId, variant, this.ctx.now(), 'reaction');
  }

  /** A reaction removed by `userId`: withdraws their vote if it was for that number. */
  async onReactionRemoved(messageId: string, emoji: string | null, userId: string): Promise<WithdrawVoteOutcome | undefined> {
    const variant = VOTE_EMOJIS.indexOf(emoji ?? '');
    if (variant < 0 || userId === this.ctx.client.user?.id) return undefined;
    const draftId = await this.ctx.drafts.locations.draftOfMessage(messageId);
    return draftId ? this.ctx.stories.withdrawVote(draftId, userId, variant) : undefined;
  }

  /** Casts (or replaces) a member's vote; closes the round when that reaches the quorum. */
  async vote(roundId: string, memberId: string, variant: number, castAt = this.ctx.now(), via: Vote['via'] = 'button'): Promise<CastVoteOutcome> {
    // Only this member's ballot: reading the whole round here made each vote cost more the bigger the round.
    const before = await this.ctx.stories.getBallot(roundId, memberId);
    const outcome = await this.ctx.stories.castVote(roundId, { memberId, variant, castAt, via });
    if (outcome !== 'recorded') return outcome;
    if (before && before.variant !== variant) await this.removeOldReaction(roundId, memberId, before.variant);
    await this.closeIfDue(roundId);
    return outcome;
  }

  /**
   * Best effort: takes a member's reaction for a vote they replaced off the draft message. Needs
   * Manage Messages; without it the old reaction stays and only the newest vote counts anyway.
   */
  private async removeOldReaction(roundId: string, memberId: string, variant: number): Promise<void> {
    const { ctx } = this;
    try {
      const round = await ctx.stories.getVoteRound(roundId);
      const at = round ? await ctx.drafts.locations.of(round.draftId) : undefined;
      const channel = at ? await sendableChannel(ctx.client, at.channelId) : undefined;
      const me = ctx.client.user;
      if (!at || !channel || channel.isDMBased() || !me) return;
      if (!channel.permissionsFor(me)?.has(PermissionFlagsBits.ManageMessages)) return;
      const emoji = encodeURIComponent(VOTE_EMOJIS[variant]!);
      await ctx.client.rest.delete(Routes.channelMessageUserReaction(at.channelId, at.messageId, emoji, memberId));
    } catch (error) {
      ctx.log.info({ err: error, round: roundId }, 'could not remove a replaced vote reaction');
    }
  }

  /**
   * Re-syncs and re-arms every open round (at start, and after a Redis outage, when reactions made
   * meanwhile were not counted and a deadline may have passed). Returns how many are still open.
   */
  async rearm(): Promise<number> {
    let open = 0;
    for (const id of await this.ctx.redis.zrange(this.openKey, 0, -1)) {
      try {
        const round = await this.ctx.stories.getVoteRound(id);
        if (!round) {
          await this.ctx.redis.zrem(this.openKey, id);
          continue;
        }
        if (round.closed) {
          // Closed but still indexed: the close stopped part-way (Redis went away); finish it, announcing once.
          await this.close(id);
          continue;
        }
        await this.resync(round);
        if (!(await this.closeIfDue(id))) {
          this.arm(round);
          open++;
        }
      } catch (error) {
        this.ctx.log.warn({ err: error, round: id }, 'could not re-arm a vote');
      }
    }
    return open;
  }

  /** Closes the round now (deadline, quorum or the owner) and announces the panel once. */
  async close(roundId: string, reason?: CloseReason): Promise<VoteRound | undefined> {
    const { ctx } = this;
    clearTimeout(this.timers.get(roundId));
    this.timers.delete(roundId);
    const round = await ctx.stories.closeVoteRound(roundId, ctx.now(), reason);
    await ctx.redis.zrem(this.openKey, roundId);
    if (!round?.closed) return round;
    const first = await ctx.redis.set(`${ctx.keyPrefix}announced:${roundId}`, '1', 'EX', 30 * 24 * 3600, 'NX');
    if (first === 'OK') await this.announce(round);
    return round;
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async closeIfDue(roundId: string): Promise<boolean> {
    // The count of ballots, not the ballots: every vote comes here.
    const status = await this.ctx.stories.getVoteStatus(roundId);
    if (!status || status.round.closed) return Boolean(status);
    const reason = closingReasonAt(status.round, status.voters, this.ctx.now());
    if (!reason) return false;
    await this.close(roundId, reason);
    return true;
  }

  private arm(round: VoteRound): void {
    clearTimeout(this.timers.get(round.id));
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, deadlineOf(round) - this.ctx.now()));
    const timer = setTimeout(() => {
      if (deadlineOf(round) > this.ctx.now()) return this.arm(round);
      void this.close(round.id, 'deadline').catch((error: unknown) => this.ctx.log.error({ err: error, round: round.id }, 'closing a vote failed'));
    }, wait);
    timer.unref();
    this.timers.set(round.id, timer);
  }

  /**
   * Catches up with reactions changed while the bot was away: members without a ballot get their
   * reaction's vote, and a reaction ballot whose reaction is gone is withdrawn (Pick-button ballots
   * have no reaction and stay).
   */
  private async resync(round: VoteRound): Promise<void> {
    const at = await this.ctx.drafts.locations.of(round.draftId);
    const message = at ? await this.message(at) : undefined;
    if (!message) return;
    const reacted: Set<string>[] = [];
    for (const emoji of VOTE_EMOJIS.slice(0, round.variants)) {
      const reaction = message.reactions.resolve(emoji);
      const users = reaction ? await reaction.users.fetch() : undefined;
      reacted.push(new Set([...(users?.values() ?? [])].filter((u) => !u.bot).map((u) => u.id)));
    }
    const voted = new Set<string>();
    for (const ballot of round.votes) {
      if (ballot.via === 'button' || reacted[ballot.variant]?.has(ballot.memberId)) voted.add(ballot.memberId);
      else await this.ctx.stories.withdrawVote(round.id, ballot.memberId, ballot.variant);
    }
    for (const [variant, members] of reacted.entries()) {
      for (const memberId of members) {
        if (voted.has(memberId)) continue;
        voted.add(memberId);
        await this.ctx.stories.castVote(round.id, { memberId, variant, castAt: this.ctx.now(), via: 'reaction' });
      }
    }
  }

  private async message(at: MessageLocation): Promise<Message | undefined> {
    const channel = await sendableChannel(this.ctx.client, at.channelId);
    return channel ? channel.messages.fetch(at.messageId).catch(() => undefined) : undefined;
  }

  private async announce(round: VoteRound): Promise<void> {
    const { ctx } = this;
    const at = await ctx.drafts.locations.of(round.draftId);
    const winner = round.closed!.winner;
    if (!at) return;
    if (winner === null) {
      await postBotMessage(ctx.client, at.channelId, { content: 'The vote closed without any votes; press a Pick button to choose a panel.' }, at.messageId);
      return;
    }
    const draft = await ctx.stories.getDraft(round.draftId);
    const blobKey = draft?.blobKeys[winner];
    if (!draft || !blobKey) return;
    const votes = round.votes.filter((v) => v.variant === winner).length;
    await this.makePanel(draft, winner, votes, at, chosenBy(votes, round.closed!.reason));
  }

  /** Makes variant `variant` of `draft` its scene's panel and announces it with the picture. */
  async makePanel(draft: Draft, variant: number, votes: number, at: MessageLocation, why: string): Promise<Panel> {
    const { ctx } = this;
    const blobKey = draft.blobKeys[variant]!;
    const panel: Panel = { draftId: draft.id, variant, blobKey, chosenAt: ctx.now(), votes };
    await ctx.stories.savePanel(panel);
    const scene = draft.sceneId ? await ctx.stories.getScene(draft.sceneId) : undefined;
    if (scene) await ctx.stories.saveScene({ ...scene, panel });
    const title = scene ? `Scene ${scene.index + 1} panel` : 'Panel';
    const embed = new EmbedBuilder().setTitle(`🏆 ${title}: picture ${variant + 1}`).setDescription(`Chosen ${why}.${scene ? `\n> ${scene.passage.text.slice(0, 300)}` : ''}`).setImage('attachment://panel.png');
    // The panel can be upscaled or animated from its own message.
    const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(draftButtonId({ action: 'upscale', draftId: draft.id, variant })).setLabel('Upscale 2x').setStyle(ButtonStyle.Secondary),
      new ButtonBuilder().setCustomId(draftButtonId({ action: 'animate', draftId: draft.id, variant })).setLabel('Animate').setStyle(ButtonStyle.Secondary),
    );
    const files = [new AttachmentBuilder(await ctx.blobs.get(blobKey), { name: 'panel.png' })];
    await postBotMessage(ctx.client, at.channelId, { embeds: [embed], files, components: [buttons] }, at.messageId);
    await ctx.cards.refresh(draft.storyId);
    return panel;
  }
}
