/**
 * What changed in the loopback Discord, for watchers other than the bot's gateway: the playground's web
 * page learns here which messages (ephemeral ones included), channels and commands to redraw. Events carry
 * ids only; a watcher reads the current state, so many quick edits (progress bars) can be coalesced.
 */

export type Activity =
  | { kind: 'message'; channelId: string; messageId: string }
  | { kind: 'channel'; channelId: string }
  | { kind: 'commands' }
  | { kind: 'guild'; guildId: string };

export type ActivityListener = (activity: Activity) => void;

export class ActivityFeed {
  private readonly listeners = new Set<ActivityListener>();

  /** Calls `listener` on every change until the returned function is called. */
  watch(listener: ActivityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(activity: Activity): void {
    for (const listener of [...this.listeners]) listener(activity);
  }

  /** The activity a gateway dispatch stands for, if any (messages, reactions, pins, threads). */
  emitForDispatch(event: string, data: Record<string, unknown>): void {
    if (event.startsWith('MESSAGE_')) {
      const messageId = String(data.message_id ?? data.id ?? '');
      if (messageId) this.emit({ kind: 'message', channelId: String(data.channel_id), messageId });
    } else if (event === 'THREAD_CREATE' || event === 'THREAD_UPDATE' || event === 'CHANNEL_UPDATE') {
      this.emit({ kind: 'channel', channelId: String(data.id) });
    }
  }
}
