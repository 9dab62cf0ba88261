import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planOffline } from '../src/planner/offline-planner.js';
import { splitSentences } from '../src/planner/passage-sentences.js';
import { PLAN_LIMITS } from '../src/planner/plan.js';

const example = (name: string) => readFileSync(new URL(`../examples/${name}.txt`, import.meta.url), 'utf8');
const names = (list: string[]) => list.map((n) => n.toLowerCase());

describe('offline planner on the examples', () => {
  it('the Fox and the Grapes: one fox, a few scenes in the vineyard', () => {
    const passage = example('aesop-fox-and-grapes');
    const plan = planOffline({ passage });
    expect(plan.planner).toBe('offline');
    expect(names(plan.newCharacters.map((c) => c.name))).toEqual(['fox']);
    expect(plan.newCharacters[0]!.description).toBe('a fox');
    expect(plan.scenes.length).toBeGreaterThanOrEqual(2);
    expect(plan.scenes.length).toBeLessThanOrEqual(5);
    for (const scene of plan.scenes) {
      expect(names(scene.characters)).toContain('fox');
      expect(scene.prompt).toContain('(fox:1.2)');
      expect(passage.slice(scene.passage.start, scene.passage.end)).toBe(scene.passage.text);
    }
    expect(plan.scenes.some((s) => /vineyard|vine|trellis/.test(s.setting))).toBe(true);
    expect(plan.scenes.map((s) => s.passage.text).join(' ')).not.toContain('The Fox and the Grapes');
  });

  it('the Tortoise and the Hare: both racers found, pronouns carried over', () => {
    const plan = planOffline({ passage: example('aesop-tortoise-and-hare') });
    const cast = names(plan.newCharacters.map((c) => c.name));
    expect(cast).toContain('hare');
    expect(cast).toContain('tortoise');
    expect(plan.scenes.length).toBeGreaterThanOrEqual(2);
    expect(plan.scenes.length).toBeLessThanOrEqual(6);
    expect(plan.scenes.every((s) => names(s.characters).includes('hare'))).toBe(true);
    expect(plan.scenes.some((s) => /meadow|road|river|tree|hill|course/.test(s.setting))).toBe(true);
  });

  it('Tom Sawyer: Tom and Ben, not the title words, sentence openers or places', () => {
    const plan = planOffline({ passage: example('tom-sawyer-fence') });
    const cast = names(plan.newCharacters.map((c) => c.name));
    expect(cast).toContain('tom');
    expect(cast.some((n) => n.startsWith('ben'))).toBe(true);
    for (const wrong of ['saturday', 'hello', 'why', 'say', 'mark twain', 'i', 'nothing', 'presently']) expect(cast).not.toContain(wrong);
    expect(plan.scenes.length).toBeGreaterThanOrEqual(3);
    expect(plan.scenes.length).toBeLessThanOrEqual(6);
    expect(plan.scenes.some((s) => names(s.characters).includes('tom') && s.characters.some((c) => /^ben/i.test(c)))).toBe(true);
    // "He surveyed the fence": the pronoun carries Tom into the scene.
    const fence = plan.scenes.find((s) => s.passage.text.includes('He surveyed the fence'));
    expect(names(fence!.characters)).toContain('tom');
    expect(fence!.mood).toBe('melancholy');
  });

  it('uses names already on the character sheet and does not list them as new', () => {
    const plan = planOffline({
      passage: example('tom-sawyer-fence'),
      cast: { Tom: { description: 'a barefoot boy in a straw hat', addedBy: 'u1' } },
    });
    expect(names(plan.newCharacters.map((c) => c.name))).not.toContain('tom');
    expect(plan.scenes.some((s) => s.characters.includes('Tom'))).toBe(true);
  });

  it('respects the scene cap and is deterministic', () => {
    const passage = example('tom-sawyer-fence');
    expect(planOffline({ passage, maxScenes: 2 }).scenes).toHaveLength(2);
    expect(planOffline({ passage })).toEqual(planOffline({ passage }));
    const long = Array.from({ length: 12 }, (_, i) => `Presently the Wolf ran to hill ${i} in the dark forest and howled at the moon for a long time.`).join('\n\n');
    expect(planOffline({ passage: long }).scenes.length).toBeLessThanOrEqual(PLAN_LIMITS.maxScenes);
  });

  it('returns no scenes, with a note, for an empty passage', () => {
    const plan = planOffline({ passage: '   \n\n ' });
    expect(plan.scenes).toEqual([]);
    expect(plan.notes.join(' ')).toMatch(/no sentences/);
  });

  it('keeps passage brackets out of the weighted prompt', () => {
    const plan = planOffline({ passage: 'The Owl sat (quietly) in the old oak tree: [watching] the Owl below. The Owl blinked.' });
    for (const scene of plan.scenes) expect(scene.prompt.replace(/\([\p{L} ]+:1\.[12]\)/gu, '')).not.toMatch(/[()[\]]/);
  });

  it('splits sentences with offsets, keeping abbreviations and quotes intact', () => {
    const text = 'Mr. Jones came home. "Hello?" said he.\n\nNext day it rained!';
    const sentences = splitSentences(text);
    expect(sentences.map((s) => s.text)).toEqual(['Mr. Jones came home.', '"Hello?" said he.', 'Next day it rained!']);
    expect(sentences.map((s) => s.paragraph)).toEqual([0, 0, 1]);
    for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});
