// Redis restarts and bot restarts lose nothing. Each test runs the real bot against the loopback
// Discord and real worker processes on a redis-server of its own (AOF, appendfsync always), which it
// SIGKILLs and starts again on the same port and folder: (1) an open story vote keeps the ballots
// cast before the crash, counts reactions made while Redis was away and after, and closes once with
// the right winner when its deadline passes while Redis is down again; (2) draws queued and rendering
// during a crash are each delivered exactly once, commands during the outage get one friendly
// sentence, and the bot and every worker say in their logs that they lost Redis and reconnected;
// (3) a bot restarted with an open vote and renders pending posts the results, closes the vote at its
// deadline, and the Pick button on a draft posted before the restart still votes; (4) a delivery that
// failed while Redis was away (its guard could not be dropped then) is retried once Redis is back;
// (5) a bot stopping mid-delivery finishes it first. Figures are printed.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { VoteRound } from '../src/core/story/votes.js';
import { REDIS_DOWN } from '../src/discord/reply-with-error.js';
import { createLogger, type Logger } from '../src/log.js';
import { ResultDelivery, sampleDraft } from '../src/queue/index.js';
import type { FakeDiscord, FakeUser } from '../src/playground/discord-server/index.js';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { createTestbed, REDIS_URL, stopChild, type QueueTestbed } from './queue/queue-harness.js';
import { ownRedis, type OwnRedis } from './support/own-redis.js';
import { until } from './support/until.js';

let bed: BotBed | undefined;
let queueBed: QueueTestbed | undefined;
let delivery: ResultDelivery | undefined;
let redis: OwnRedis | undefined;
afterEach(async () => {
  await delivery?.close();
  await queueBed?.cleanup();
  await bed?.cleanup();
  await redis?.dispose();
  bed = queueBed = delivery = redis = undefined;
});

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const hasImage = (m: APIMessage) => m.attachments.length > 0 && (m.embeds?.length ?? 0) > 0;
const buttonId = (m: APIMessage, label: string) =>
  (m.components as { components: { custom_id: string; label: string }[] }[]).flatMap((r) => r.components).find((b) => b.label === label)!.custom_id;
const ballots = (round: VoteRound) => Object.fromEntries(round.votes.map((v) => [v.memberId, v.variant]));

/** The bot's log lines, as parsed pino records. */
function botLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('info', 'bot', { destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { log, lines };
}
const said = (lines: Record<string, unknown>[], msg: string, connection?: string) =>
  lines.filter((l) => String(l.msg).startsWith(msg) && (connection === undefined || l.connection === connection)).length;

/** A worker's stdout (pino lines), from the moment it is ready. */
async function watchedWorker(b: BotBed, env: Record<string, string>): Promise<{ out: () => string }> {
  const child = await b.spawnWorker('step', env);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { out: () => out };
}

/** An ephemeral answer to `user`'s interaction in `channelId` that says Redis is away. */
function redisDownAnswer(discord: FakeDiscord, user: FakeUser, channelId: string, name: string, options: Record<string, string> = {}) {
  const handle = discord.invokeSlash(user, channelId, name, options);
  const friendly = (m: APIMessage) => m.content.includes(REDIS_DOWN);
  return Promise.any([handle.waitForOriginal(friendly, 15_000), handle.waitForFollowUp(friendly, 15_000)]);
}

/** A story (quorum 10, so only the deadline closes; 1 min) in its thread, with one scene draft rendered and its vote open. */
async function openSceneVote(b: BotBed) {
  const { discord } = b;
  const alice = discord.user('alice');
  const general = discord.channelId('general');
  await discord.invokeSlash(alice, general, 'settings', { quorum: 10, deadline: 1 }).waitForOriginal((m) => /votes close at 10 voters/.test(m.content));
  await discord.invokeSlash(alice, general, 'story', { title: 'The Lighthouse', style: 'ink' }, 'new').waitForOriginal((m) => /has begun/.test(m.content), 10_000);
  const thread = discord.threads()[0]!;
  await discord.invokeSlash(alice, thread.id, 'illustrate', { passage: 'The keeper lit the lamp as the storm rolled in.' }).waitForOriginal((m) => /planned/.test(m.content), 15_000);
  const draft = await discord.waitForMessage(thread.id, (m) => m.author.id === discord.bot.id && hasImage(m), 30_000);
  await discord.waitFor((c) => c.method === 'PUT' && c.path.includes(encodeURIComponent('4️⃣')), 10_000);
  const draftId = (await b.bot.ctx.drafts.locations.draftOfMessage(draft.id))!;
  const round = async () => (await b.bot.ctx.stories.getVoteRound(draftId))!;
  return { thread, draft, round, deadline: (await round()).openedAt + 60_000 };
}

/** A draw's message once its job is queued (its first view, "starting", is posted before the enqueue). */
const QUEUED = (m: APIMessage) => /#\d+ in the queue|rendering|is ready/.test(m.content);
const panelsIn = (discord: FakeDiscord, threadId: string) => discord.messages(threadId).filter((m) => /panel: picture/.test(m.embeds?.[0]?.title ?? ''));

/** PATCHes that turned a draft message into its finished form ("✅ Draft by ... is ready."), per message id. */
function finishedEdits(discord: FakeDiscord): Map<string, number> {
  const perMessage = new Map<string, number>();
  for (const call of discord.calls) {
    const id = /^\/channels\/\d+\/messages\/(\d+)$/.exec(call.path)?.[1];
    const content = (call.body as { content?: unknown } | undefined)?.content;
    if (call.method !== 'PATCH' || !id || call.status >= 300 || typeof content !== 'string' || !content.startsWith('✅ Draft by')) continue;
    perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
  }
  return perMessage;
}

describe('Redis and bot restarts', () => {
  it('keeps an open vote through two Redis crashes: earlier ballots, reactions during and after, one result at the deadline', async () => {
    redis = await ownRedis();
    const { log, lines } = botLog();
    bed = await createBotBed({ REDIS_URL: redis.url }, { name: 'Story Club', channels: ['general'], users: USERS }, { log });
    const b = bed;
    await b.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = b;
    const [alice, bob, carol, dave, erin] = USERS.map((u) => discord.user(u)) as [FakeUser, FakeUser, FakeUser, FakeUser, FakeUser];
    const { thread, draft, round, deadline } = await openSceneVote(b);

    discord.react(bob, draft, '2️⃣');
    discord.react(carol, draft, '2️⃣');
    await until('the first two ballots', async () => (await round()).votes.length === 2);

    await redis.crash();
    await until('the bot to notice', () => said(lines, 'redis connection lost', 'bot') > 0);
    discord.react(dave, draft, '3️⃣'); // counted by nobody now: Redis is away
    await redisDownAnswer(discord, alice, thread.id, 'queue');
    await redis.start();
    await until('the bot to reconnect and re-sync its votes', () => said(lines, 'votes re-synced after a Redis outage') > 0, 20_000);
    expect(ballots(await round())).toEqual({ [bob.id]: 1, [carol.id]: 1, [dave.id]: 2 });

    discord.react(erin, draft, '3️⃣');
    discord.react(alice, draft, '2️⃣');
    await until('the ballots after the restart', async () => (await round()).votes.length === 5);
    expect(panelsIn(discord, thread.id)).toEqual([]);

    // The deadline passes while Redis is down: the close fails then, and happens once Redis is back.
    b.setBotClockOffset(deadline + 1000 - Date.now());
    await redis.crash();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    const panel = await discord.waitForMessage(thread.id, (m) => /panel: picture/.test(m.embeds?.[0]?.title ?? ''), 20_000);
    // Without the ballots from before the first crash, 3️⃣ (dave, erin) would beat 2️⃣ (alice).
    expect(panel.embeds?.[0]?.title).toContain('picture 2');
    expect(panel.embeds?.[0]?.description).toContain('Chosen by 3 votes when the time for voting ran out.');
    const closed = await round();
    expect(closed.closed?.reason).toBe('deadline');
    expect(ballots(closed)).toEqual({ [alice.id]: 1, [bob.id]: 1, [carol.id]: 1, [dave.id]: 2, [erin.id]: 2 });
    expect(await b.redis.zscore(`${b.bot.ctx.keyPrefix}open-rounds`, closed.id)).toBeNull();

    await new Promise((r) => setTimeout(r, 1000)); // room for a second announcement to show up
    const panels = panelsIn(discord, thread.id).length;
    console.log(`redis-restart votes: ${redis.starts - 1} Redis crashes survived with a vote open; ${closed.votes.length}/5 ballots kept (votes lost 0), ${panels} result posted`);
    expect(panels).toBe(1);
    expect(said(lines, 'redis connection lost', 'bot')).toBe(2);
    expect(said(lines, 'redis reconnected', 'bot')).toBe(2);
    expect(discord.errors).toEqual([]);
  }, 120_000);

  it('delivers every draw queued or rendering during a Redis crash exactly once; bot and workers reconnect and say so', async () => {
    redis = await ownRedis();
    const { log, lines } = botLog();
    bed = await createBotBed({ REDIS_URL: redis.url }, undefined, { log });
    const b = bed;
    const { discord } = b;
    const general = discord.channelId('general');
    const people = ['alice', 'bob', 'carol'].map((u) => discord.user(u));

    const asked: string[] = [];
    for (let i = 0; i < 9; i++) {
      const draw = discord.invokeSlash(people[i % 3]!, general, 'draw', { prompt: `a lantern on a pier, night ${i}` });
      asked.push((await draw.waitForOriginal(QUEUED, 15_000)).id);
    }
    // All nine wait; two workers take them. Crash while some are finished, some rendering, some waiting.
    const workers = await Promise.all([watchedWorker(b, { STEP_MS: '400' }), watchedWorker(b, { STEP_MS: '400' })]);
    await until('the first two draws to finish', () => finishedEdits(discord).size >= 2, 30_000);
    const before = finishedEdits(discord).size;
    await redis.crash();
    await until('the bot to notice', () => said(lines, 'redis connection lost', 'bot') > 0);
    await redisDownAnswer(discord, people[0]!, general, 'draw', { prompt: 'a draw asked for while Redis is away' });
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();

    await until('every draw to be delivered', () => asked.every((id) => finishedEdits(discord).has(id)), 60_000);
    await until('both workers to say they reconnected', () => workers.every((w) => /redis reconnected/.test(w.out())), 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate delivery to show up
    const edits = finishedEdits(discord);
    const twice = [...edits.values()].filter((n) => n > 1).length;
    const lost = asked.filter((id) => !edits.has(id)).length;
    console.log(
      `redis-restart renders: 1 Redis crash survived with ${asked.length - before} of ${asked.length} draws unfinished; ` +
        `delivered ${asked.length - lost}/${asked.length}, jobs lost ${lost}, delivered twice ${twice}`,
    );
    expect(asked.length - before).toBeGreaterThanOrEqual(3); // the crash did land among unfinished renders
    expect(lost).toBe(0);
    expect(twice).toBe(0);
    expect([...edits.keys()].sort()).toEqual([...asked].sort()); // nothing else was finished, not even the refused draw
    for (const w of workers) {
      expect(w.out()).toMatch(/"connection":"worker".*"msg":"redis connection lost; reconnecting"/);
      expect(w.out()).toMatch(/"connection":"worker".*"msg":"redis reconnected"/);
    }
    expect(said(lines, 'redis reconnected', 'bot')).toBe(1);
    expect(discord.errors).toEqual([]);
  }, 120_000);

  it('a restarted bot closes an open vote at its deadline, posts renders finished while it was down, and old buttons still work', async () => {
    redis = await ownRedis();
    bed = await createBotBed({ REDIS_URL: redis.url });
    const b = bed;
    const sceneWorker = await b.spawnWorker('step', { STEP_MS: '20' });
    const { discord } = b;
    const alice = discord.user('alice'), bob = discord.user('bob'), carol = discord.user('carol');
    const general = discord.channelId('general');
    const { thread, draft, round, deadline } = await openSceneVote(b);
    discord.react(bob, draft, '2️⃣');
    discord.react(alice, draft, '1️⃣');
    await until('two ballots', async () => (await round()).votes.length === 2);

    // Renders pending across the restart: queued with no worker; a slow one starts while the bot is down.
    await stopChild(sceneWorker);
    const asked: string[] = [];
    for (let i = 0; i < 4; i++) {
      const draw = discord.invokeSlash([alice, bob][i % 2]!, general, 'draw', { prompt: `a kite over the dunes ${i}` });
      asked.push((await draw.waitForOriginal(QUEUED, 15_000)).id);
    }
    const completed = () => b.redis.zcard(`${b.config.QUEUE_PREFIX}:render:completed`);
    const doneBefore = await completed();
    await b.stopBot();
    await b.spawnWorker('step', { STEP_MS: '150' });
    await until('a render to finish while nobody listens', async () => (await completed()) > doneBefore, 30_000);
    // Back 10 s before the deadline: the re-armed timer, not the start-up check, must close the vote.
    b.setBotClockOffset(deadline - 10_000 - Date.now());
    await b.startBot();

    // The Pick 2 button on the draft posted before the restart votes.
    const pick = discord.clickButton(carol, draft, buttonId(draft, 'Pick 2'));
    await pick.waitForOriginal((m) => /Your vote for picture 2 is counted/.test(m.content), 15_000);
    await until('carol\'s button ballot', async () => (await round()).votes.find((v) => v.memberId === carol.id)?.via === 'button');
    const panel = await discord.waitForMessage(thread.id, (m) => /panel: picture/.test(m.embeds?.[0]?.title ?? ''), 20_000);
    expect(panel.embeds?.[0]?.title).toContain('picture 2');
    expect(panel.embeds?.[0]?.description).toContain('Chosen by 2 votes when the time for voting ran out.');
    expect((await round()).closed?.reason).toBe('deadline');

    await until('every draw to be delivered', () => asked.every((id) => finishedEdits(discord).has(id)), 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const edits = finishedEdits(discord);
    const lost = asked.filter((id) => !edits.has(id)).length;
    const twice = [...edits.values()].filter((n) => n > 1).length;
    console.log(`bot-restart: vote closed at its deadline (${panelsIn(discord, thread.id).length} result), delivered ${asked.length - lost}/${asked.length} draws, lost ${lost}, twice ${twice}`);
    expect(lost).toBe(0);
    expect(twice).toBe(0);
    expect(panelsIn(discord, thread.id)).toHaveLength(1);
    expect(discord.errors).toEqual([]);
  }, 120_000);

  it('retries a delivery that failed while Redis was away once Redis is back', async () => {
    redis = await ownRedis();
    const own = redis;
    queueBed = await createTestbed({}, { redisUrl: own.url });
    const q = queueBed;
    await q.spawnWorker({ STEP_MS: '20' });
    const tries: string[] = [];
    let failed: () => void = () => {};
    const firstFailed = new Promise<void>((resolve) => (failed = resolve));
    delivery = new ResultDelivery({
      connection: q.redis, queue: q.fq.queue, prefix: q.prefix, redisUrl: own.url, log: createLogger('silent'),
      deliver: async (outcome) => {
        tries.push(outcome.jobId);
        if (tries.length > 1) return;
        // The first try fails just as Redis goes away: its guard cannot be dropped for a retry now.
        await own.crash();
        failed();
        throw new Error('Discord did not answer');
      },
    });
    await delivery.start();
    const { jobId } = await q.fq.enqueue('draft', sampleDraft('u'));
    await firstFailed;
    await new Promise((r) => setTimeout(r, 500));
    await own.start();
    await until('the retry after the reconnect', () => tries.length === 2, 20_000);
    await new Promise((r) => setTimeout(r, 500)); // room for a third
    expect(tries).toEqual([jobId, jobId]);
    expect(await q.redis.exists(`${q.prefix}:delivered:${jobId}`)).toBe(1);
  }, 60_000);

  it('a bot stopping mid-delivery finishes that delivery before it lets go of Redis and Discord', async () => {
    queueBed = await createTestbed();
    const q = queueBed;
    await q.spawnWorker({ STEP_MS: '20' });
    let started: () => void = () => {};
    const underWay = new Promise<void>((resolve) => (started = resolve));
    let finished = 0;
    delivery = new ResultDelivery({
      connection: q.redis, queue: q.fq.queue, prefix: q.prefix, redisUrl: REDIS_URL, log: createLogger('silent'),
      deliver: async () => {
        started();
        await new Promise((r) => setTimeout(r, 800)); // a slow Discord edit
        finished += 1;
      },
    });
    await delivery.start();
    const { jobId } = await q.fq.enqueue('draft', sampleDraft('u'));
    await underWay;
    await delivery.close(); // what bot.stop() does first; the connections close after it
    delivery = undefined;
    expect(finished).toBe(1);
    expect(await q.redis.exists(`${q.prefix}:delivered:${jobId}`)).toBe(1);
  }, 60_000);
});
