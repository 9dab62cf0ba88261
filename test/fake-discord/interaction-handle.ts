/** Moved to src/playground/discord-server/; kept so older imports of this path keep working. */
export { InteractionHandle } from '../../src/playground/discord-server/interaction-handle.js';
