// Load at reduced scale, counted not timed: 20 slash commands and 100 vote reactions at once against
// the real bot on the loopback Discord, while a render runs and a 4000-character passage is planned.
// Every interaction must be acknowledged inside Discord's 3-second window (the fake refuses later
// callbacks) and every reaction counted as a vote. The timed figures (ack p99, event-loop lag) are
// `npm run bench -- --only load`'s job: timings in tests are flaky on a shared machine.
import { describe, expect, it } from 'vitest';
import { runLoad } from '../bench/load-scenario.js';

describe('the bot under load', () => {
  it('acknowledges every command in time and counts every vote while planning and rendering', async () => {
    const figures = await runLoad({ commands: 20, reactions: 100, passageChars: 4000, worker: 'step' });
    expect(figures.commands).toBe(21); // and the /illustrate with the passage
    expect(figures.acknowledged).toBe(21);
    expect(figures.missedDeadlines).toBe(0);
    // Twenty members, one command each: none is slowed by the per-member rate limit.
    expect(figures.rateLimited).toBe(0);
    expect(figures.reactions).toBe(100);
    expect(figures.votesCounted).toBe(100);
    expect(figures.passagePlannedMs).toBeDefined();
  }, 600_000);
});
