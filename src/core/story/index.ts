/**
 * The story domain's public surface: Story, StyleLock, CharacterSheet, Scene, Draft, Panel and the
 * vote rules, with the zod schemas of their stored forms.
 */
export * from './story.js';
export * from './scene.js';
export * from './draft.js';
export * from './votes.js';
