// A render that fails for good, seen from Discord: the draft message says so in one friendly
// sentence (no library text) with a Retry button; Retry is refused to another member and queues the
// same request again for the member who asked.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;
const buttons = (m: APIMessage) => ((m.components ?? []) as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components);

describe('a failed draft', () => {
  it('shows one friendly sentence and a Retry button that only the requester (or a moderator) may press', async () => {
    bed = await createBotBed();
    await bed.spawnWorker('step', { STEP_MS: '10' });
    const { discord } = bed;
    const alice = discord.user('alice');
    const bob = discord.user('bob');
    const general = discord.channelId('general');
    await discord.invokeSlash(alice, general, 'draw', { prompt: 'always-broken' }).callback();
    const failed = await discord.waitForMessage(general, (m) => m.author.id === discord.bot.id && /could not be rendered/.test(m.content), 30_000);
    expect(failed.content).toMatch(/^❌ This draft could not be rendered: The renderer hit an unexpected problem \(it has been logged\); press Retry to queue it again\.\n/);
    expect(failed.content).not.toMatch(/ONNX|Error|stalled/);
    const retry = buttons(failed).find((b) => b.label === 'Retry')!;
    expect(retry.custom_id).toMatch(/^draft:retry:/);

    const byBob = discord.clickButton(bob, failed, retry.custom_id);
    const refusal = await byBob.waitForOriginal((m) => /Only the member who asked/.test(m.content));
    expect(refusal.flags! & EPHEMERAL).toBe(EPHEMERAL);

    const byAlice = discord.clickButton(alice, failed, retry.custom_id);
    expect((await byAlice.callback()).elapsedMs).toBeLessThan(3000);
    await byAlice.waitForOriginal((m) => /^Queued again \(draft /.test(m.content));
    const again = await discord.waitForMessage(general, (m) => m.id !== failed.id && m.author.id === discord.bot.id && /always-broken/.test(m.content) && m.message_reference?.message_id === failed.id);
    expect(again.content).toMatch(/Drawing/);
    expect(discord.errors).toEqual([]);
  }, 60_000);
});
