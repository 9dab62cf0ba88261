// Draft messages while they wait and render, against the fake Discord, real Redis and the step
// worker: progress edits reach Discord at least 1.5 s apart, a waiting draft's place in line is
// refreshed (throttled) as the queue moves, and buttons or forms with unknown or garbled custom_ids
// get a short ephemeral answer.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { UNKNOWN_ACTION } from '../src/discord/listeners/interaction-create.js';
import type { FakeDiscord } from '../src/playground/discord-server/index.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;
const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;

/** The bot-token edits of one message, oldest first, with the content each one set. */
function editsOf(discord: FakeDiscord, message: APIMessage): { at: number; content: string }[] {
  return discord.calls
    .filter((c) => c.method === 'PATCH' && c.path.endsWith(`/channels/${message.channel_id}/messages/${message.id}`) && c.status < 300)
    .map((c) => ({ at: c.at, content: String((c.body as { content?: unknown } | undefined)?.content ?? '') }))
    .sort((a, b) => a.at - b.at);
}

function gaps(edits: { at: number }[]): number[] {
  return edits.slice(1).map((e, i) => e.at - edits[i]!.at);
}

describe('draft messages', () => {
  it('spaces progress edits at least 1.5 s apart', async () => {
    bed = await createBotBed();
    await bed.spawnWorker('step', { STEP_MS: '100' });
    const { discord } = bed;
    const general = discord.channelId('general');
    const draw = discord.invokeSlash(discord.user('alice'), general, 'draw', { prompt: 'a slow river', steps: 60 });
    const queued = await draw.waitForOriginal((m) => /queue|starting|rendering/.test(m.content));
    await discord.waitForMessage(general, (m) => m.id === queued.id && hasImage(m), 30_000);
    const edits = editsOf(discord, queued);
    const progress = edits.filter((e) => /rendering/.test(e.content));
    // 60 steps of 100 ms report every step; the board shows only a few of them.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThan(10);
    // Every edit before the final one (queue position and progress) is >= 1.5 s after the previous.
    for (const gap of gaps(edits.slice(0, -1))) expect(gap).toBeGreaterThanOrEqual(1500);
    expect(edits.at(-1)!.content).toMatch(/is ready/);
    expect(discord.errors).toEqual([]);
  }, 60_000);

  it('refreshes the place in line of a waiting draft, throttled', async () => {
    bed = await createBotBed({}, undefined, { queueRefreshMs: 250 });
    const { discord } = bed;
    const general = discord.channelId('general');
    const drafts: APIMessage[] = [];
    for (const name of ['alice', 'bob', 'carol']) {
      const draw = discord.invokeSlash(discord.user(name), general, 'draw', { prompt: `a kite for ${name}` });
      drafts.push(await draw.waitForOriginal((m) => /in the queue/.test(m.content)));
    }
    const carol = drafts[2]!;
    await discord.waitFor(() => /#3 in the queue/.test(discord.message(carol.id)!.content));
    await bed.spawnWorker('step', { STEP_MS: '400' });
    await discord.waitForMessage(general, (m) => m.id === carol.id && hasImage(m), 40_000);
    const edits = editsOf(discord, carol);
    const waiting = edits.filter((e) => /in the queue/.test(e.content)).map((e) => e.content.match(/#(\d+) in the queue/)![1]);
    expect(waiting[0]).toBe('3');
    expect(waiting.slice(1)).toEqual(expect.arrayContaining(['1']));
    const firstRender = edits.findIndex((e) => /rendering/.test(e.content));
    expect(edits.findLastIndex((e) => /in the queue/.test(e.content))).toBeLessThan(firstRender);
    for (const gap of gaps(edits.slice(0, -1))) expect(gap).toBeGreaterThanOrEqual(1500);
    expect(discord.errors).toEqual([]);
  }, 90_000);

  it('answers unknown and garbled custom_ids with an ephemeral sentence', async () => {
    bed = await createBotBed();
    const { discord } = bed;
    const alice = discord.user('alice');
    const general = discord.channelId('general');
    // A message from an older bot version: posted as the bot through the fake's REST API.
    const ids = ['legacy:vote:3', 'draft:pick:not a draft!:7', 'draft:explode:abc', 'draft:pick:gone123:0'];
    const res = await fetch(`${discord.restBase}/v10/channels/${general}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bot ${discord.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'old buttons', components: [{ type: 1, components: ids.map((custom_id, i) => ({ type: 2, style: 2, label: `b${i}`, custom_id })) }] }),
    });
    expect(res.status).toBe(200);
    const old = (await res.json()) as APIMessage;
    for (const id of ids) {
      const click = discord.clickButton(alice, old, id);
      const ack = await click.callback();
      expect(ack.elapsedMs).toBeLessThan(3000);
      const answer = ack.type === 4 ? (ack.data as { content: string; flags?: number }) : await click.waitForOriginal((m) => m.content.length > 0);
      expect(answer.flags! & EPHEMERAL).toBe(EPHEMERAL);
      if (id === 'draft:pick:gone123:0') expect(answer.content).toMatch(/no longer have that draft/);
      else expect(answer.content).toContain(UNKNOWN_ACTION);
    }
    const modal = discord.submitModal(alice, 'mystery-form:1', { notes: 'hello' }, { channelId: general });
    const ack = await modal.callback();
    expect(ack.type).toBe(4);
    expect((ack.data as { content: string; flags: number }).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect((ack.data as { content: string }).content).toContain(UNKNOWN_ACTION);
    expect(discord.errors).toEqual([]);
  }, 60_000);
});
