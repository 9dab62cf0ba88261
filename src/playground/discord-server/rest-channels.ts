/**
 * REST routes for what the bot does with its own token: channels and messages (JSON or multipart with
 * files), typing, threads, pins (both the current and the deprecated routes), reactions, and the guild
 * lookups discord.js makes. Answers are the wire objects Discord returns; unknown ids give Discord's 404s.
 */
import { DiscordApiFault, Faults } from './http-io.js';
import type { ChannelFeatures, ThreadInput } from './channel-features.js';
import type { MessageInput, MessageStore } from './message-store.js';
import { noContent, ok, type RouteContext, type RouteTable } from './rest-router.js';
import { isThread, type FakeWorld } from './world.js';

export function addChannelRoutes(table: RouteTable, world: FakeWorld, store: MessageStore, features: ChannelFeatures): void {
  const channel = (id: string) => {
    const found = world.channels.get(id);
    if (!found) throw Faults.unknownChannel();
    return found;
  };
  const message = (ctx: RouteContext) => {
    channel(ctx.params.channel);
    return store.require(ctx.params.channel, ctx.params.message);
  };
  const bot = world.bot;

  table
    .add('GET', '/channels/:channel', ({ params }) => ok(channel(params.channel)))
    .add('GET', '/channels/:channel/messages', ({ params, query }) => {
      channel(params.channel);
      const limit = Math.min(Math.max(Number(query.get('limit') ?? 50), 1), 100);
      let list = store.list(params.channel).reverse(); // newest first, like Discord
      const before = query.get('before');
      const after = query.get('after');
      const around = query.get('around');
      if (before) list = list.filter((r) => BigInt(r.api.id) < BigInt(before));
      if (after) list = list.filter((r) => BigInt(r.api.id) > BigInt(after)).slice(-limit);
      if (around) {
        const index = list.findIndex((r) => BigInt(r.api.id) <= BigInt(around));
        list = list.slice(Math.max(0, index - Math.floor(limit / 2)));
      }
      return ok(list.slice(0, limit).map((r) => store.toApi(r)));
    })
    .add('POST', '/channels/:channel/messages', ({ params, json, body }) => {
      channel(params.channel);
      return ok(store.toApi(store.create(params.channel, bot, json as MessageInput, body.files)));
    })
    .add('GET', '/channels/:channel/messages/:message', (ctx) => ok(store.toApi(message(ctx))))
    .add('PATCH', '/channels/:channel/messages/:message', (ctx) => {
      const record = message(ctx);
      if (record.api.author.id !== bot.id) throw new DiscordApiFault(403, 50005, 'Cannot edit a message authored by another user');
      return ok(store.toApi(store.edit(record, ctx.json as MessageInput, ctx.body.files)));
    })
    .add('DELETE', '/channels/:channel/messages/:message', (ctx) => {
      store.delete(message(ctx));
      return noContent();
    })
    .add('POST', '/channels/:channel/typing', ({ params }) => {
      channel(params.channel);
      return noContent();
    })
    .add('POST', '/channels/:channel/threads', ({ params, json }) => ok(features.createThread(params.channel, bot, json as ThreadInput), 201))
    .add('POST', '/channels/:channel/messages/:message/threads', (ctx) =>
      ok(features.createThread(ctx.params.channel, bot, ctx.json as ThreadInput, message(ctx)), 201))
    .add('PUT', '/channels/:channel/thread-members/@me', ({ params }) => {
      if (!isThread(channel(params.channel))) throw Faults.unknownChannel();
      return noContent();
    })
    .add('DELETE', '/channels/:channel/thread-members/@me', ({ params }) => {
      channel(params.channel);
      return noContent();
    });

  for (const prefix of ['/channels/:channel/pins', '/channels/:channel/messages/pins']) {
    table
      .add('PUT', `${prefix}/:message`, (ctx) => {
        features.pin(message(ctx), bot);
        return noContent();
      })
      .add('DELETE', `${prefix}/:message`, (ctx) => {
        features.unpin(message(ctx));
        return noContent();
      });
  }
  table
    .add('GET', '/channels/:channel/pins', ({ params }) => {
      channel(params.channel);
      return ok(features.pins(params.channel).map((r) => store.toApi(r)));
    })
    .add('GET', '/channels/:channel/messages/pins', ({ params, query }) => {
      channel(params.channel);
      const limit = Math.min(Math.max(Number(query.get('limit') ?? 50), 1), 50);
      const pins = features.pins(params.channel);
      const items = pins.slice(0, limit).map((r) => ({ pinned_at: r.pinnedAt, message: store.toApi(r) }));
      return ok({ items, has_more: pins.length > limit });
    });

  const reactions = '/channels/:channel/messages/:message/reactions';
  table
    .add('PUT', `${reactions}/:emoji/@me`, (ctx) => {
      features.react(message(ctx), bot, ctx.params.emoji);
      return noContent();
    })
    .add('DELETE', `${reactions}/:emoji/@me`, (ctx) => {
      features.unreact(message(ctx), bot, ctx.params.emoji);
      return noContent();
    })
    .add('DELETE', `${reactions}/:emoji/:user`, (ctx) => {
      const user = world.userById(ctx.params.user);
      if (!user) throw Faults.unknownUser();
      features.unreact(message(ctx), user, ctx.params.emoji);
      return noContent();
    })
    .add('GET', `${reactions}/:emoji`, (ctx) => {
      const after = ctx.query.get('after') ?? undefined;
      return ok(features.reactionUsers(message(ctx), ctx.params.emoji, after, Number(ctx.query.get('limit') ?? 25)));
    })
    .add('DELETE', reactions, (ctx) => {
      const record = message(ctx);
      for (const reaction of [...record.reactions]) {
        for (const id of [...reaction.users]) features.unreact(record, world.userById(id)!, reaction.key);
      }
      return noContent();
    });

  const guild = (id: string) => {
    const found = world.guildById(id);
    if (!found) throw Faults.unknownGuild();
    return found;
  };
  table
    .add('GET', '/guilds/:guild', ({ params }) => {
      const { channels: _c, members: _m, threads: _t, presences: _p, voice_states: _v, ...rest } = world.guildCreate(guild(params.guild));
      return ok(rest);
    })
    .add('GET', '/guilds/:guild/channels', ({ params }) =>
      ok([...world.channels.values()].filter((c) => c.guild_id === guild(params.guild).id && !isThread(c))))
    .add('GET', '/guilds/:guild/roles', ({ params }) => ok(guild(params.guild).roles))
    .add('GET', '/guilds/:guild/threads/active', ({ params }) =>
      ok({ threads: features.threads().filter((t) => t.guild_id === guild(params.guild).id), members: [] }))
    .add('GET', '/guilds/:guild/members', ({ params }) => ok(world.guildCreate(guild(params.guild)).members))
    .add('GET', '/guilds/:guild/members/:user', ({ params }) => {
      const user = world.userById(params.user);
      if (!user) throw Faults.unknownMember();
      return ok(world.member(guild(params.guild).id, user));
    });
}
