// Who may change what (issue: permissions): the story owner and members with Manage Messages change
// style and cast and end stories; anyone else is told so privately; /settings needs Manage Server.
import type { APIMessage } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotBed, type BotBed } from './discord/bot-harness.js';
import { Permission, type InteractionHandle } from '../src/playground/discord-server/index.js';

let bed: BotBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const EPHEMERAL = 64;

/** The bot's answer to an interaction, whether it replied after deferring or followed up. */
async function answer(handle: InteractionHandle, pattern: RegExp): Promise<APIMessage> {
  const waits = [handle.waitForOriginal((m) => pattern.test(m.content)), handle.waitForFollowUp((m) => pattern.test(m.content))];
  for (const w of waits) w.catch(() => {}); // the path not taken times out later; that is expected
  return Promise.any(waits);
}

describe('story permissions', () => {
  it('lets the owner and moderators change the story, and refuses other members privately', async () => {
    // gina owns the server (all permissions); alice tells the story; mo moderates; bob is a member.
    bed = await createBotBed({}, {
      name: 'Story Club', channels: ['general'], users: ['gina', 'alice', 'bob', 'mo'],
      roles: [{ name: 'Moderator', permissions: Permission.ManageMessages, members: ['mo'] }],
    });
    const { discord } = bed;
    const [alice, bob, mo] = [discord.user('alice'), discord.user('bob'), discord.user('mo')];
    const started = discord.invokeSlash(alice, discord.channelId('general'), 'story', { title: 'The Hare', style: 'ink' }, 'new');
    await started.waitForOriginal((m) => /has begun/.test(m.content), 10_000);
    const thread = discord.threads()[0]!;

    const refused = discord.invokeSlash(bob, thread.id, 'story', { style: 'neon' }, 'style');
    const refusal = await answer(refused, /owner|Manage Messages/i);
    expect(refusal.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const ending = discord.invokeSlash(bob, thread.id, 'story', {}, 'end');
    expect((await answer(ending, /owner|Manage Messages/i)).flags! & EPHEMERAL).toBe(EPHEMERAL);

    const byOwner = discord.invokeSlash(alice, thread.id, 'story', { style: 'charcoal' }, 'style');
    await byOwner.waitForOriginal((m) => /Style updated/.test(m.content));
    const byModerator = discord.invokeSlash(mo, thread.id, 'story', { name: 'Hare', description: 'a grey hare with long ears' }, 'cast');
    await answer(byModerator, /Hare/);

    const shown = discord.invokeSlash(bob, thread.id, 'story', {}, 'show');
    const card = await shown.waitForOriginal((m) => (m.embeds?.length ?? 0) > 0);
    const text = JSON.stringify(card.embeds);
    expect(text).toContain('charcoal');
    expect(text).toContain('a grey hare with long ears');

    const settings = discord.invokeSlash(bob, discord.channelId('general'), 'settings', { quorum: 5 });
    expect((await answer(settings, /Manage Server/)).flags! & EPHEMERAL).toBe(EPHEMERAL);
  });
});
