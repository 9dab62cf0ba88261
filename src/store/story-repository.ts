/**
 * Where stories, scenes, drafts, panels and votes live: an interface the bot codes against, and its
 * Redis implementation. Each record is JSON under its own key, validated with its zod schema when
 * read; stories are indexed by channel (newest first) and by thread, scenes and drafts by story.
 * Every write is awaited, and related writes go in one MULTI, so once a method resolves the data is
 * as durable as Redis makes it (the compose file runs AOF with appendfsync always).
 *
 * Votes are a hash of one ballot per member, so two members voting at once never overwrite each
 * other; a small Lua script refuses ballots once the round is closed and keeps a member's newest
 * ballot, another withdraws a ballot only while it is for the variant whose reaction was removed.
 * Closing is optimistic: it succeeds only if no ballot arrived since the round was read, so the
 * stored winner always matches the stored ballots, and the first close stands.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { draftSchema, panelSchema, type Draft, type Panel } from '../core/story/draft.js';
import { sceneSchema, type Scene } from '../core/story/scene.js';
import { storySchema, type Story } from '../core/story/story.js';
import { castVote, closeVoteRound, voteRoundSchema, voteSchema, type CloseReason, type Vote, type VoteRound } from '../core/story/votes.js';
import { StoredRecordError } from './stored-record-error.js';

export type CastVoteOutcome = 'recorded' | 'closed' | 'no-such-variant' | 'missing';
/** 'kept' when the member's ballot is for another variant (or there is none): nothing changed. */
export type WithdrawVoteOutcome = 'withdrawn' | 'kept' | 'closed' | 'missing';

export interface StoryRepository {
  saveStory(story: Story): Promise<void>;
  getStory(id: string): Promise<Story | undefined>;
  /** The story of a thread, or else the newest story still running directly in the channel. */
  findStoryForChannel(channelId: string, threadId?: string): Promise<Story | undefined>;
  /** Every story started in a channel (threads included), newest first. */
  listStoriesInChannel(channelId: string): Promise<Story[]>;
  saveScene(scene: Scene): Promise<void>;
  getScene(id: string): Promise<Scene | undefined>;
  /** A story's scenes in index order. */
  listScenes(storyId: string): Promise<Scene[]>;
  saveDraft(draft: Draft): Promise<void>;
  getDraft(id: string): Promise<Draft | undefined>;
  /** Drafts of a story, oldest first. */
  listDrafts(storyId: string): Promise<Draft[]>;
  savePanel(panel: Panel): Promise<void>;
  getPanel(draftId: string, variant: number): Promise<Panel | undefined>;
  /** Stores a new round; returns false (and changes nothing) when one with that id exists. */
  openVoteRound(round: VoteRound): Promise<boolean>;
  getVoteRound(id: string): Promise<VoteRound | undefined>;
  /** One member's ballot in a round, without reading the others (a vote must stay cheap in a big round). */
  getBallot(roundId: string, memberId: string): Promise<Vote | undefined>;
  /** A round without its ballots, and how many members have a ballot in it (for the quorum). */
  getVoteStatus(roundId: string): Promise<{ round: Omit<VoteRound, 'votes'>; voters: number } | undefined>;
  castVote(roundId: string, vote: Vote): Promise<CastVoteOutcome>;
  /** Withdraws a member's ballot if it is (still) for `variant`, e.g. when they remove that reaction. */
  withdrawVote(roundId: string, memberId: string, variant: number): Promise<WithdrawVoteOutcome>;
  /** Closes the round (first close stands) and returns it as stored; undefined if there is none. */
  closeVoteRound(roundId: string, now: number, reason?: CloseReason): Promise<VoteRound | undefined>;
}

// KEYS: round, ballots, closed, version. ARGV: member, ballot JSON, castAt.
const CAST_VOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'closed' end
local earlier = redis.call('HGET', KEYS[2], ARGV[1])
if earlier and cjson.decode(earlier).castAt > tonumber(ARGV[3]) then return 'recorded' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[4])
return 'recorded'`;

// KEYS: round, ballots, closed, version. ARGV: member, variant. Only a ballot for that variant goes:
// a member who moved their vote elsewhere keeps it when the old reaction is removed.
const WITHDRAW_VOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'closed' end
local ballot = redis.call('HGET', KEYS[2], ARGV[1])
if not ballot or cjson.decode(ballot).variant ~= tonumber(ARGV[2]) then return 'kept' end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[4])
return 'withdrawn'`;

// KEYS: closed, version. ARGV: closed JSON, version seen when the winner was computed.
const CLOSE_ROUND = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return false end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

const roundFields = voteRoundSchema.omit({ votes: true, closed: true });
const closedSchema = voteRoundSchema.shape.closed.unwrap();

export class RedisStoryRepository implements StoryRepository {
  /** @param prefix key prefix, e.g. "taleframe:" (tests use a random one) */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'taleframe:',
  ) {}

  private key(...parts: Array<string | number>): string {
    return this.prefix + parts.join(':');
  }

  async saveStory(story: Story): Promise<void> {
    const valid = storySchema.parse(story);
    const tx = this.redis.multi().set(this.key('story', valid.id), JSON.stringify(valid));
    tx.zadd(this.key('channel', valid.channelId, 'stories'), valid.createdAt, valid.id);
    if (valid.threadId) tx.set(this.key('thread', valid.threadId), valid.id);
    await exec(tx);
  }

  getStory(id: string): Promise<Story | undefined> {
    return this.read(this.key('story', id), storySchema);
  }

  async findStoryForChannel(channelId: string, threadId?: string): Promise<Story | undefined> {
    if (threadId) {
      const id = await this.redis.get(this.key('thread', threadId));
      return id ? this.getStory(id) : undefined;
    }
    for (const story of await this.listStoriesInChannel(channelId)) {
      if (!story.threadId && story.ended === undefined) return story;
    }
    return undefined;
  }

  async listStoriesInChannel(channelId: string): Promise<Story[]> {
    const ids = await this.redis.zrevrange(this.key('channel', channelId, 'stories'), 0, -1);
    return this.readMany(ids.map((id) => this.key('story', id)), storySchema);
  }

  async saveScene(scene: Scene): Promise<void> {
    const valid = sceneSchema.parse(scene);
    await exec(
      this.redis
        .multi()
        .set(this.key('scene', valid.id), JSON.stringify(valid))
        .zadd(this.key('story', valid.storyId, 'scenes'), valid.index, valid.id),
    );
  }

  getScene(id: string): Promise<Scene | undefined> {
    return this.read(this.key('scene', id), sceneSchema);
  }

  async listScenes(storyId: string): Promise<Scene[]> {
    const ids = await this.redis.zrange(this.key('story', storyId, 'scenes'), 0, -1);
    return this.readMany(ids.map((id) => this.key('scene', id)), sceneSchema);
  }

  async saveDraft(draft: Draft): Promise<void> {
    const valid = draftSchema.parse(draft);
    const tx = this.redis.multi().set(this.key('draft', valid.id), JSON.stringify(valid));
    if (valid.storyId) tx.zadd(this.key('story', valid.storyId, 'drafts'), valid.createdAt, valid.id);
    await exec(tx);
  }

  getDraft(id: string): Promise<Draft | undefined> {
    return this.read(this.key('draft', id), draftSchema);
  }

  async listDrafts(storyId: string): Promise<Draft[]> {
    const ids = await this.redis.zrange(this.key('story', storyId, 'drafts'), 0, -1);
    return this.readMany(ids.map((id) => this.key('draft', id)), draftSchema);
  }

  async savePanel(panel: Panel): Promise<void> {
    const valid = panelSchema.parse(panel);
    await this.redis.set(this.key('panel', valid.draftId, valid.variant), JSON.stringify(valid));
  }

  getPanel(draftId: string, variant: number): Promise<Panel | undefined> {
    return this.read(this.key('panel', draftId, variant), panelSchema);
  }

  async openVoteRound(round: VoteRound): Promise<boolean> {
    const { votes: _votes, closed: _closed, ...fields } = voteRoundSchema.parse(round);
    const created = await this.redis.set(this.key('vote', fields.id), JSON.stringify(fields), 'NX');
    return created === 'OK';
  }

  async getVoteRound(id: string): Promise<VoteRound | undefined> {
    return (await this.readRound(id))?.round;
  }

  async getBallot(roundId: string, memberId: string): Promise<Vote | undefined> {
    const k = this.roundKeys(roundId);
    const text = await this.redis.hget(k.ballots, memberId);
    return text === null ? undefined : parse(k.ballots, text, voteSchema);
  }

  async getVoteStatus(roundId: string): Promise<{ round: Omit<VoteRound, 'votes'>; voters: number } | undefined> {
    const k = this.roundKeys(roundId);
    const [fields, voters, closed] = (await exec(this.redis.multi().get(k.round).hlen(k.ballots).get(k.closed))) as [string | null, number, string | null];
    if (fields === null) return undefined;
    const round: Omit<VoteRound, 'votes'> = parse(k.round, fields, roundFields);
    if (closed !== null) round.closed = parse(k.closed, closed, closedSchema);
    return { round, voters };
  }

  async castVote(roundId: string, vote: Vote): Promise<CastVoteOutcome> {
    // The member's own ballot is all the rules look at, so the others are not read.
    const current = await this.readRound(roundId, vote.memberId);
    if (!current) return 'missing';
    // The rules (deadline, variant range) are the core's; the script only guards the race with close.
    const checked = castVote(current.round, voteSchema.parse(vote));
    if (!checked.ok) return checked.reason;
    const k = this.roundKeys(roundId);
    return (await this.redis.eval(CAST_VOTE, 4, k.round, k.ballots, k.closed, k.version, vote.memberId, JSON.stringify(vote), vote.castAt)) as CastVoteOutcome;
  }

  async withdrawVote(roundId: string, memberId: string, variant: number): Promise<WithdrawVoteOutcome> {
    const k = this.roundKeys(roundId);
    return (await this.redis.eval(WITHDRAW_VOTE, 4, k.round, k.ballots, k.closed, k.version, memberId, variant)) as WithdrawVoteOutcome;
  }

  async closeVoteRound(roundId: string, now: number, reason?: CloseReason): Promise<VoteRound | undefined> {
    const k = this.roundKeys(roundId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.readRound(roundId);
      if (!current) return undefined;
      if (current.round.closed) return current.round;
      const closed = closeVoteRound(current.round, now, reason).closed!;
      const stored = (await this.redis.eval(CLOSE_ROUND, 2, k.closed, k.version, JSON.stringify(closed), current.version)) as string | null;
      if (stored !== null) return { ...current.round, closed: parse(k.closed, stored, closedSchema) };
      // A ballot arrived after the read: count again.
    }
    throw new Error(`vote round ${roundId} kept changing while closing; try again`);
  }

  private roundKeys(id: string) {
    const round = this.key('vote', id);
    return { round, ballots: `${round}:ballots`, closed: `${round}:closed`, version: `${round}:version` };
  }

  /** The round with every ballot, or with only `memberId`'s ballot when given. */
  private async readRound(id: string, memberId?: string): Promise<{ round: VoteRound; version: string } | undefined> {
    const k = this.roundKeys(id);
    // One MULTI so the round, its ballots and its close are read as of the same moment.
    const tx = this.redis.multi().get(k.round);
    if (memberId === undefined) tx.hgetall(k.ballots);
    else tx.hget(k.ballots, memberId);
    const [fields, read, closed, version] = (await exec(tx.get(k.closed).get(k.version))) as [
      string | null,
      Record<string, string> | string | null,
      string | null,
      string | null,
    ];
    const ballots: Record<string, string> = typeof read === 'string' ? { [memberId!]: read } : (read ?? {});
    if (fields === null) return undefined;
    const votes = Object.values(ballots)
      .map((b) => parse(k.ballots, b, voteSchema))
      .sort((a, b) => a.castAt - b.castAt || a.memberId.localeCompare(b.memberId));
    const round: VoteRound = { ...parse(k.round, fields, roundFields), votes };
    if (closed !== null) round.closed = parse(k.closed, closed, closedSchema);
    return { round, version: version ?? '0' };
  }

  private async read<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const text = await this.redis.get(key);
    return text === null ? undefined : parse(key, text, schema);
  }

  private async readMany<T>(keys: string[], schema: z.ZodType<T>): Promise<T[]> {
    if (keys.length === 0) return [];
    const texts = await this.redis.mget(...keys);
    return texts.flatMap((text, i) => (text === null ? [] : [parse(keys[i]!, text, schema)]));
  }
}

function parse<T>(key: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoredRecordError(key, 'not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new StoredRecordError(key, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** Runs a MULTI and surfaces the first command error instead of returning it in the result list. */
async function exec(tx: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const results = await tx.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
