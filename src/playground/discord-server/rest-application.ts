/**
 * REST routes about the bot itself: gateway discovery (GET /gateway/bot returns this server's ws:// URL),
 * the current user and application, and application commands (global and per guild: bulk overwrite, list,
 * create, edit, delete) stored so interactions can be typed by the registered definitions.
 */
import type { APIApplicationCommand } from 'discord.js';
import { Faults } from './http-io.js';
import { noContent, ok, type RouteContext, type RouteTable } from './rest-router.js';
import type { FakeWorld } from './world.js';

export class CommandRegistry {
  /** Commands by scope: `global` or a guild id. */
  readonly scopes = new Map<string, APIApplicationCommand[]>();

  constructor(private readonly world: FakeWorld) {}

  all(): APIApplicationCommand[] {
    // Guild commands first: they shadow global ones of the same name in that guild.
    return [...this.scopes].sort(([a], [b]) => (a === 'global' ? 1 : 0) - (b === 'global' ? 1 : 0)).flatMap(([, list]) => list);
  }

  list(scope: string): APIApplicationCommand[] {
    return this.scopes.get(scope) ?? [];
  }

  upsert(scope: string, input: Record<string, unknown>): APIApplicationCommand {
    const type = Number(input.type ?? 1);
    // Chat-input names are lowercase without spaces; context-menu names may have both.
    const pattern = type === 1 ? /^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u : /^.{1,32}$/u;
    if (typeof input.name !== 'string' || !pattern.test(input.name)) {
      throw Faults.invalidForm('name', 'APPLICATION_COMMAND_INVALID_NAME', `Command name is invalid`);
    }
    if (type === 1 && (typeof input.description !== 'string' || input.description.length < 1 || input.description.length > 100)) {
      throw Faults.invalidForm('description', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    const list = this.list(scope);
    const existing = list.find((c) => c.name === input.name && (c.type ?? 1) === type);
    const command = {
      ...input, id: existing?.id ?? this.world.ids.next(), application_id: this.world.applicationId, version: this.world.ids.next(),
      type, description: input.description ?? '', default_member_permissions: input.default_member_permissions ?? null,
      nsfw: input.nsfw ?? false, contexts: input.contexts ?? null, integration_types: input.integration_types ?? [0],
      ...(scope === 'global' ? {} : { guild_id: scope }),
    } as unknown as APIApplicationCommand;
    this.scopes.set(scope, [...list.filter((c) => c !== existing), command]);
    return command;
  }
}

export function addApplicationRoutes(table: RouteTable, world: FakeWorld, commands: CommandRegistry, gatewayUrl: () => string): void {
  const application = () => ({
    id: world.applicationId, name: world.bot.name, icon: null, description: '', summary: '', type: null,
    bot_public: true, bot_require_code_grant: false, verify_key: '0'.repeat(64), flags: (1 << 13) | (1 << 15) | (1 << 19),
    owner: (world.userById(world.guilds[0]?.ownerId ?? '') ?? world.bot).api, team: null, bot: world.bot.api, redirect_uris: [], interactions_endpoint_url: null,
    approximate_guild_count: world.guilds.length, hook: true, integration_types_config: { '0': {} },
  });
  const scope = (ctx: RouteContext) => {
    if (ctx.params.app !== world.applicationId) throw Faults.unknownWebhook();
    if (ctx.params.guild === undefined) return 'global';
    if (!world.guildById(ctx.params.guild)) throw Faults.unknownGuild();
    return ctx.params.guild;
  };
  const find = (ctx: RouteContext) => {
    const command = commands.list(scope(ctx)).find((c) => c.id === ctx.params.command);
    if (!command) throw Faults.unknownCommand();
    return command;
  };

  table
    .add('GET', '/gateway', () => ok({ url: gatewayUrl() }), false)
    .add('GET', '/gateway/bot', () => ok({
      url: gatewayUrl(), shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    }))
    .add('GET', '/users/@me', () => ok({ ...world.bot.api, verified: true, mfa_enabled: false, flags: 0 }))
    .add('GET', '/users/:user', ({ params }) => {
      const user = world.userById(params.user);
      if (!user) throw Faults.unknownUser();
      return ok(user.api);
    })
    .add('GET', '/applications/@me', () => ok(application()))
    .add('GET', '/oauth2/applications/@me', () => ok(application()));

  for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
    table
      .add('GET', base, (ctx) => ok(commands.list(scope(ctx))))
      .add('PUT', base, (ctx) => {
        const where = scope(ctx);
        const input = ctx.body.json as unknown;
        if (!Array.isArray(input)) throw Faults.invalidForm('_root', 'BASE_TYPE_ARRAY', 'Must be an array');
        const previous = commands.list(where);
        commands.scopes.set(where, []);
        for (const item of input as Record<string, unknown>[]) {
          const kept = previous.find((c) => c.name === item.name && (c.type ?? 1) === Number(item.type ?? 1));
          const created = commands.upsert(where, item);
          if (kept) Object.assign(created, { id: kept.id });
        }
        return ok(commands.list(where));
      })
      .add('POST', base, (ctx) => ok(commands.upsert(scope(ctx), ctx.json), 201))
      .add('GET', `${base}/:command`, (ctx) => ok(find(ctx)))
      .add('PATCH', `${base}/:command`, (ctx) => {
        const command = find(ctx);
        return ok(commands.upsert(scope(ctx), { ...command, ...ctx.json }));
      })
      .add('DELETE', `${base}/:command`, (ctx) => {
        const command = find(ctx);
        const where = scope(ctx);
        commands.scopes.set(where, commands.list(where).filter((c) => c !== command));
        return noContent();
      });
  }
}
