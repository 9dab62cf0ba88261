/**
 * `/queue`: the member's own renders with their place in line and ETA, and how busy the queue is.
 */
import type { BotContext } from '../bot-context.js';

export async function queueStatus(ctx: BotContext, userId: string): Promise<string> {
  const jobs = await ctx.queue.queue.getJobs(['active', 'waiting', 'prioritized', 'delayed'], 0, 199);
  const counts = await ctx.queue.queue.getJobCounts('active', 'waiting', 'prioritized');
  const mine = jobs.filter((j) => (j?.data as { userId?: string } | undefined)?.userId === userId);
  const lines: string[] = [];
  for (const job of mine.slice(0, 10)) {
    const p = await ctx.queue.positionOf(job.id!);
    const where = p.state === 'active' ? 'rendering now' : p.position !== null ? `#${p.position}` : p.state;
    const eta = p.etaDoneMs !== null ? ` · ready in ~${Math.max(1, Math.round(p.etaDoneMs / 1000))} s` : '';
    lines.push(`• ${job.name} \`${job.id}\` — ${where}${eta}`);
  }
  const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  const head = `Queue: ${counts.active ?? 0} rendering, ${waiting} waiting. You may have ${ctx.config.QUEUE_MAX_WAITING_PER_USER} waiting at once.`;
  return lines.length > 0 ? `${head}\nYours:\n${lines.join('\n')}` : `${head}\nYou have nothing queued.`;
}
