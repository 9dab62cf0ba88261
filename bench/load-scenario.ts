/**
 * The load run behind `npm run bench -- --only load` and test/discord-load.test.ts. The bot runs in a
 * process of its own (bench/load-bot.ts: startBot, as `npm start` runs it) against the loopback Discord
 * in this process, with a render worker process. A story's scene drafts are opened for votes; then,
 * while a render runs: `commands` slash commands (/draw, one member each), `reactions` vote reactions
 * spread over the drafts, and a long passage for the offline planner (/illustrate). It reports what
 * Discord would see: how long each interaction waited for its first answer (the callback, type 4, 5,
 * 6, 7 or 9, reaching the fake), how many missed the 3-second window, whether every vote was counted,
 * and how late the bot's event loop ran (perf_hooks, inside the bot process).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTick, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadCommands } from '../src/discord/command-loader.js';
import { registerCommands } from '../src/discord/command-registration.js';
import { DraftLocations } from '../src/discord/drafts/draft-locations.js';
import { VOTE_EMOJIS } from '../src/discord/drafts/draft-view.js';
import { FakeDiscord, type InteractionHandle } from '../src/playground/discord-server/index.js';
import { watchEventLoopLag, type LoopLagFigures } from '../src/process/event-loop-lag.js';
import { connectForBot, RENDER_QUEUE_NAME } from '../src/queue/index.js';
import { RedisStoryRepository } from '../src/store/story-repository.js';
import { REDIS_URL, spawnBedWorker } from '../test/discord/bot-harness.js';
import { stopChild } from '../test/queue/queue-harness.js';
import { deletePrefixKeys } from '../test/support/redis-keys.js';
import type { LoadBotRequest } from './load-bot.js';

export interface LoadOptions {
  /** Slash commands fired at once, each by a different member (default 100). */
  commands?: number;
  /** Vote reactions fired at once, spread over the open drafts (default 500). */
  reactions?: number;
  /** Length of the passage planned during the load (default 4000; 0 = none). */
  passageChars?: number;
  /** The render worker process: the real one on the toy model, or the test suite's cheap step worker. */
  worker?: 'toy' | 'step';
  /** Plan on the bot's event loop, as before the planner thread pool (to measure the difference). */
  inlinePlanner?: boolean;
  /** Progress lines (setup steps). */
  say?: (line: string) => void;
}

export interface LoadFigures {
  /** Interactions fired: the slash commands, plus the /illustrate carrying the passage. */
  commands: number;
  /** Interactions whose callback reached Discord at all (Discord refuses callbacks after 3 s). */
  acknowledged: number;
  missedDeadlines: number;
  /** Commands answered with the rate limit's sentence instead of doing their work. */
  rateLimited: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  reactions: number;
  votesCounted: number;
  /** From the burst to the last vote stored. */
  votesCountedMs: number;
  /** From the burst to the bot's plan summary (undefined: no passage, or no summary). */
  passagePlannedMs?: number;
  /** The bot process's event-loop lag from the burst until everything above was done. */
  loopLag: LoopLagFigures;
  /** The same for this process (the fake Discord and the load driver): late callbacks may be its doing. */
  driverLag: LoopLagFigures;
}

const DEADLINE_MS = 3_000;
const SETUP_TIMEOUT_MS = 240_000;
/** Events handed to the gateway per turn of this loop: a burst, but not one frozen turn of 600. */
const EVENTS_PER_TURN = 20;
const botEntry = fileURLToPath(new URL('./load-bot.ts', import.meta.url));

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * English sample passages, joined and cut at a sentence end to at most `chars` characters, starting
 * from the `from`-th passage (so two calls can give two different texts).
 */
export function longPassage(chars: number, from = 0): string {
  const dir = new URL('../test/planner-passages/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt') && !f.startsWith('de-')).sort();
  const text = [...files.slice(from), ...files.slice(0, from)]
    .map((f) => readFileSync(new URL(f, dir), 'utf8').trim()).join('\n\n');
  const cut = text.slice(0, chars);
  return cut.slice(0, Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('.\n')) + 1);
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = SETUP_TIMEOUT_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`load run: timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The bot process and a way to ask it one thing at a time. */
function startBotProcess(env: Record<string, string>): { child: ChildProcess; ask<T>(request: LoadBotRequest): Promise<T>; ready: Promise<void> } {
  const child = fork(botEntry, [], { execArgv: ['--import', 'tsx', ...(process.env.LOAD_BOT_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.LOAD_BOT_PROFILE] : [])], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the load bot exited with ${code} before it was ready`)));
  });
  const ask = <T>(request: LoadBotRequest) => new Promise<T>((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(request);
  });
  return { child, ask, ready };
}

export async function runLoad(options: LoadOptions = {}): Promise<LoadFigures> {
  const commands = options.commands ?? 100;
  const reactions = options.reactions ?? 500;
  const passageChars = options.passageChars ?? 4000;
  const say = options.say ?? (() => {});
  const discord = await FakeDiscord.start({ guilds: [{ name: 'Load Club', channels: ['general'], users: ['alice'] }] });
  const prefix = `tfload-${randomBytes(5).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'taleframe-load-'));
  const redis = await connectForBot(REDIS_URL);
  const children: ChildProcess[] = [];
  let bot: ReturnType<typeof startBotProcess> | undefined;
  try {
    await registerCommands((await loadCommands()).values(), { token: discord.token, applicationId: discord.bot.id, apiBase: discord.restBase });
    say('starting the bot process');
    bot = startBotProcess({
      DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.bot.id, DISCORD_API_BASE: discord.restBase, LOAD_CDN: discord.cdnBase,
      ATTACHMENT_HOSTS: '127.0.0.1', REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: dataDir,
      RENDER_WIDTH: '128', RENDER_HEIGHT: '128', RENDER_STEPS: '4', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_MAX_WAITING_PER_USER: '50', QUEUE_MAX_WAITING_PER_STORY: '100',
      // The production rate limit (20 a minute, bursts of 10): one command per member stays well inside it.
      RATE_LIMIT_PER_MINUTE: '20', RATE_LIMIT_BURST: '10',
      LOAD_INLINE_PLANNER: options.inlinePlanner ? '1' : '0',
    });
    children.push(bot.child);
    await bot.ready;
    say(`starting a ${options.worker ?? 'step'} worker`);
    const worker = spawnBedWorker(options.worker ?? 'step', prefix, dataDir, { STEP_MS: '300' });
    children.push(worker.process);
    await worker.ready;

    const stories = new RedisStoryRepository(redis, `${prefix}:story:`);
    const locations = new DraftLocations(redis, `${prefix}:discord:`);
    const alice = discord.user('alice');
    const general = discord.channelId('general');

    // A story whose scene drafts are open for votes; a quorum nobody reaches keeps them open.
    const started = discord.invokeSlash(alice, general, 'story', { title: 'The Lion and the Mouse', style: 'watercolour' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), SETUP_TIMEOUT_MS);
    const thread = discord.threads()[0]!;
    const story = (await stories.findStoryForChannel(general, thread.id))!;
    await stories.saveStory({ ...story, voting: { ...story.voting, quorum: 1000, deadlineMinutes: 24 * 60 } });
    // Several scenes, so the reactions spread over several votes as in a real story.
    const opening = discord.invokeSlash(alice, thread.id, 'illustrate', { passage: longPassage(4000, 1) });
    const summary = await opening.waitForOriginal((m) => /planned by/.test(m.content), SETUP_TIMEOUT_MS);
    const scenes = Number(/(\d+) scenes? planned/.exec(summary.content)?.[1] ?? NaN);
    if (!(scenes >= 1)) throw new Error(`load run: the opening passage was not planned: ${summary.content}`);
    say(`waiting for ${scenes} scene drafts to open their votes`);
    const voteMessages = await until('the scene drafts to open their votes', () => {
      const open = discord.messages(thread.id).filter((m) => discord.reactions(m).some((r) => r.emoji === VOTE_EMOJIS[0] && r.userIds.includes(discord.bot.id)));
      return open.length >= scenes ? open : undefined;
    });
    const rounds = await Promise.all(voteMessages.map(async (m) => (await locations.draftOfMessage(m.id))!));
    const countVotes = async () => (await Promise.all(rounds.map((id) => stories.getVoteRound(id)))).reduce((n, r) => n + (r?.votes.length ?? 0), 0);

    // A render runs through the whole burst (the /draw renders queue behind it).
    // 100 steps: on a quiet machine a 4-step toy render ends before anyone could see it running.
    const running = discord.invokeSlash(alice, general, 'draw', { prompt: 'a lighthouse on a cliff at dusk', steps: 100 });
    await running.callback(SETUP_TIMEOUT_MS);
    await until('a render to be running', async () => ((await redis.llen(`${prefix}:${RENDER_QUEUE_NAME}:active`)) > 0 ? true : undefined));

    say(`burst: ${commands} slash commands, ${reactions} reactions${passageChars > 0 ? `, a ${passageChars}-character passage` : ''}`);
    await bot.ask('reset');
    const driverLag = watchEventLoopLag();
    const firedAt = Date.now();
    const handles: InteractionHandle[] = [];
    // Longer than a message may be (2000), so the passage comes as /illustrate, whose option takes 4000.
    const passage = passageChars > 0 ? discord.invokeSlash(alice, thread.id, 'illustrate', { passage: longPassage(passageChars) }) : undefined;
    if (passage) handles.push(passage);
    // Commands and reactions interleaved, as a busy server delivers them.
    const voters = Math.ceil(reactions / rounds.length);
    let reacted = 0;
    let events = 0;
    for (let i = 0; i < Math.max(commands, voters); i++) {
      if (i < commands) handles.push(discord.invokeSlash(discord.user(`member${i}`), general, 'draw', { prompt: `a paper lantern over the river, number ${i}` }));
      for (let k = 0; k < rounds.length && reacted < reactions && i < voters; k++, reacted++) {
        discord.react(discord.user(`voter${i}`), voteMessages[k]!, VOTE_EMOJIS[(i + k) % 4]!);
      }
      events += 1 + rounds.length;
      if (events >= EVENTS_PER_TURN) {
        events = 0;
        await nextTick();
      }
    }
    const acks = await Promise.all(handles.map((h) => h.callback(DEADLINE_MS + 10_000).then((c) => c.elapsedMs, () => undefined)));
    const votesCounted = await until('every vote to be counted', async () => {
      const n = await countVotes();
      return n >= reactions ? n : undefined;
    }, 120_000).catch(countVotes);
    const votesCountedMs = Date.now() - firedAt;
    let passagePlannedMs: number | undefined;
    if (passage) {
      await passage.waitForOriginal((m) => /planned by/.test(m.content), 120_000).then(
        () => (passagePlannedMs = Date.now() - firedAt),
        () => undefined,
      );
    }
    const { figures: loopLag } = await bot.ask<{ figures: LoopLagFigures }>('figures');
    const driverFigures = driverLag.figures();
    driverLag.stop();
    const answered = acks.filter((ms): ms is number => ms !== undefined);
    const rateLimited = handles.filter((h) => /going a little fast/.test(String(h.response?.data?.content ?? ''))).length;
    return {
      commands: handles.length, acknowledged: answered.length, missedDeadlines: acks.filter((ms) => ms === undefined || ms > DEADLINE_MS).length, rateLimited,
      ackP50Ms: percentile(answered, 50), ackP99Ms: percentile(answered, 99), ackMaxMs: Math.max(...answered),
      reactions: reacted, votesCounted, votesCountedMs, passagePlannedMs, loopLag, driverLag: driverFigures,
    };
  } finally {
    if (bot && bot.child.exitCode === null) {
      const exited = new Promise((resolve) => bot!.child.once('exit', resolve));
      bot.child.send('stop');
      await Promise.race([exited, sleep(15_000)]);
    }
    await Promise.all(children.map((c) => stopChild(c)));
    await discord.close();
    await deletePrefixKeys(prefix, redis);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
  }
}
