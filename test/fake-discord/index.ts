/**
 * The loopback Discord moved to src/playground/discord-server/ (it also serves the local playground);
 * this re-export keeps tests that import `./fake-discord/index.js` working. New code imports from
 * src/playground/discord-server/index.js.
 */
export * from '../../src/playground/discord-server/index.js';
