/**
 * The public surface of the fake Discord used by the bot's tests: start a loopback Discord with
 * `FakeDiscord.start()`, point a real discord.js Client at it with `discord.clientOptions()` and
 * `discord.token`, then act as users and assert on what the bot sent. See README.md.
 */
export { FakeDiscord, type PostMessageInput } from './acting-users.js';
export type { FakeDiscordOptions, MessageRef, SiteHandler } from './fake-discord.js';
export type { Activity, ActivityListener } from './activity.js';
export { InteractionHandle } from './interaction-handle.js';
export type { CallbackRecord } from './interactions.js';
export type { FakeFile, OptionValue } from './interaction-payloads.js';
export type { RecordedCall } from './rest-router.js';
export type { IdentifyRecord } from './gateway.js';
export { Intent } from './gateway.js';
export { Permission, type FakeGuild, type FakeGuildSpec, type FakeUser, type FakeChannel } from './world.js';
