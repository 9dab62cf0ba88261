import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Draft, Scene, Story } from '../src/core/story/index.js';
import { openVoteRound } from '../src/core/story/votes.js';
import { RedisStoryRepository } from '../src/store/story-repository.js';
import { StoredRecordError } from '../src/store/stored-record-error.js';

const T0 = 1_700_000_000_000;
let redis: Redis;
let prefix: string;
let repo: RedisStoryRepository;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  prefix = `test-story-repo-${randomBytes(6).toString('hex')}:`;
  repo = new RedisStoryRepository(redis, prefix);
});
afterEach(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
});

const story = (id: string, extra: Partial<Story> = {}): Story => ({
  id,
  title: 'The Fox and the Grapes',
  ownerId: 'owner',
  guildId: 'g1',
  channelId: 'c1',
  createdAt: T0,
  style: { style: 'watercolour storybook', negative: 'blurry', baseSeed: 42, width: 512, height: 512, scheduler: 'euler' },
  cast: { Fox: { description: 'a lean red fox', addedBy: 'owner' } },
  voting: { quorum: 2, deadlineMinutes: 10 },
  ...extra,
});

const scene = (id: string, index: number): Scene => ({
  id,
  storyId: 's1',
  index,
  passage: { start: 0, end: 5, text: 'A Fox' },
  characters: ['Fox'],
  action: 'leaping',
  setting: 'vineyard',
  mood: 'hungry',
  shot: 'medium shot',
  prompt: '(fox:1.2), leaping',
  negativePrompt: '',
  planner: 'offline',
});

const draft = (id: string, createdAt: number): Draft => ({
  id,
  storyId: 's1',
  sceneId: 'sc1',
  requestedBy: 'u1',
  prompt: '(fox:1.2)',
  negativePrompt: 'blurry',
  seed: 7,
  seeds: [7, 8, 9, 10],
  steps: 20,
  status: 'queued',
  blobKeys: [],
  createdAt,
});

describe('Redis story repository', () => {
  it('stores and reads stories, scenes, drafts and panels', async () => {
    await repo.saveStory(story('s1'));
    expect(await repo.getStory('s1')).toEqual(story('s1'));
    expect(await repo.getStory('nope')).toBeUndefined();

    await repo.saveScene(scene('sc2', 1));
    await repo.saveScene(scene('sc1', 0));
    expect((await repo.listScenes('s1')).map((s) => s.id)).toEqual(['sc1', 'sc2']);
    expect(await repo.getScene('sc1')).toEqual(scene('sc1', 0));

    await repo.saveDraft(draft('d2', T0 + 2));
    await repo.saveDraft(draft('d1', T0 + 1));
    await repo.saveDraft({ ...draft('d1', T0 + 1), status: 'done', blobKeys: ['a', 'b', 'c', 'd'] });
    expect((await repo.listDrafts('s1')).map((d) => [d.id, d.status])).toEqual([
      ['d1', 'done'],
      ['d2', 'queued'],
    ]);

    const panel = { draftId: 'd1', variant: 2, blobKey: 'c', chosenAt: T0 + 5, votes: 3 };
    await repo.savePanel(panel);
    expect(await repo.getPanel('d1', 2)).toEqual(panel);
    expect(await repo.getPanel('d1', 1)).toBeUndefined();
  });

  it('finds the story of a thread, else the newest running story of the channel', async () => {
    await repo.saveStory(story('old', { createdAt: T0 }));
    await repo.saveStory(story('ended', { createdAt: T0 + 2, ended: T0 + 3 }));
    await repo.saveStory(story('current', { createdAt: T0 + 1 }));
    await repo.saveStory(story('threaded', { createdAt: T0 + 4, threadId: 't9' }));
    expect((await repo.findStoryForChannel('c1'))?.id).toBe('current');
    expect((await repo.findStoryForChannel('c1', 't9'))?.id).toBe('threaded');
    expect(await repo.findStoryForChannel('c1', 'unknown-thread')).toBeUndefined();
    expect(await repo.findStoryForChannel('c2')).toBeUndefined();
    expect((await repo.listStoriesInChannel('c1')).map((s) => s.id)).toEqual(['threaded', 'ended', 'current', 'old']);
  });

  it('refuses to write invalid records and reports invalid stored ones by key', async () => {
    await expect(repo.saveStory({ ...story('s1'), title: '' })).rejects.toThrow();
    await redis.set(`${prefix}story:bad`, JSON.stringify({ id: 'bad' }));
    await expect(repo.getStory('bad')).rejects.toBeInstanceOf(StoredRecordError);
    await redis.set(`${prefix}story:worse`, '{not json');
    await expect(repo.getStory('worse')).rejects.toThrow(/story:worse is not valid: not JSON/);
  });

  it('keeps one ballot per member, refuses bad ones, and closes once with the winner', async () => {
    const round = openVoteRound({ id: 'v1', storyId: 's1', draftId: 'd1', ownerId: 'owner', variants: 4, rules: { quorum: 3, deadlineMinutes: 10 }, openedAt: T0 });
    expect(await repo.openVoteRound(round)).toBe(true);
    expect(await repo.openVoteRound(round)).toBe(false);

    expect(await repo.castVote('v1', { memberId: 'ann', variant: 0, castAt: T0 + 1 })).toBe('recorded');
    expect(await repo.castVote('v1', { memberId: 'ann', variant: 2, castAt: T0 + 3 })).toBe('recorded');
    expect(await repo.castVote('v1', { memberId: 'ann', variant: 1, castAt: T0 + 2 })).toBe('recorded'); // older: ignored
    expect(await repo.castVote('v1', { memberId: 'owner', variant: 1, castAt: T0 + 4 })).toBe('recorded');
    expect(await repo.castVote('v1', { memberId: 'bob', variant: 9, castAt: T0 + 5 })).toBe('no-such-variant');
    expect(await repo.castVote('v1', { memberId: 'bob', variant: 1, castAt: T0 + 10 * 60_000 })).toBe('closed');
    expect(await repo.castVote('nope', { memberId: 'bob', variant: 1, castAt: T0 })).toBe('missing');

    const stored = await repo.getVoteRound('v1');
    expect(stored?.votes.map((v) => [v.memberId, v.variant])).toEqual([
      ['ann', 2],
      ['owner', 1],
    ]);

    const closed = await repo.closeVoteRound('v1', T0 + 100);
    expect(closed?.closed).toEqual({ at: T0 + 100, reason: 'owner', winner: 1 }); // tie 1-1: owner's pick
    expect((await repo.closeVoteRound('v1', T0 + 200, 'deadline'))?.closed).toEqual(closed?.closed);
    expect(await repo.castVote('v1', { memberId: 'cat', variant: 2, castAt: T0 + 300 })).toBe('closed');
    expect((await repo.getVoteRound('v1'))?.votes).toHaveLength(2);
  });

  it('counts concurrent ballots from many members', async () => {
    const round = openVoteRound({ id: 'v2', storyId: 's1', draftId: 'd1', ownerId: 'owner', variants: 2, rules: { quorum: 50, deadlineMinutes: 10 }, openedAt: T0 });
    await repo.openVoteRound(round);
    await Promise.all(Array.from({ length: 30 }, (_, i) => repo.castVote('v2', { memberId: `m${i}`, variant: i % 3 === 0 ? 0 : 1, castAt: T0 + i })));
    const closed = await repo.closeVoteRound('v2', T0 + 1000, 'deadline');
    expect(closed?.votes).toHaveLength(30);
    expect(closed?.closed?.winner).toBe(1);
  });
});
