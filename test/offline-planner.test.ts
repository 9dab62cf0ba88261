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
      // The fox is described, not named, at the head of the prompt.
      expect(scene.prompt.startsWith('(a fox:1.2)')).toBe(true);
      expect(passage.slice(scene.passage.start, scene.passage.end)).toBe(scene.passage.text);
    }
    expect(plan.scenes[0]!.prompt).toContain('in a vineyard');
    expect(plan.scenes.some((s) => s.setting === 'vineyard at dusk')).toBe(true);
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

describe('offline planner: characters as an illustrator reads them', () => {
  const cast = (passage: string) => planOffline({ passage }).newCharacters;

  it('finds common nouns (WordNet people and animals) that act, speak or are introduced', () => {
    const found = cast(
      'There lived a king in a castle by the sea. One morning a witch came to the gate. "Let me in," said the old crow on the wall. ' +
        'The grandmother sat by the fire while a dog slept at her feet.',
    ).map((c) => c.name);
    expect(found).toEqual(expect.arrayContaining(['king', 'witch', 'crow', 'grandmother', 'dog']));
    expect(found).toHaveLength(5);
  });

  it('leaves out people who are only hypothetical, only owners of a thing, or only talked about', () => {
    const found = cast(
      'The Fox sat under the leaves, so tall that a child could stand beneath them. He chewed at the hunter\'s net. "My father was a baker," he said.',
    ).map((c) => c.name);
    expect(found).toEqual(['Fox']);
  });

  it('finds brother and sister both, and titled characters with their look', () => {
    const plan = planOffline({
      passage:
        'Anna sat on the bank with her brother and her sister. Her brother was reading and her sister was asleep. ' +
        'Suddenly a White Rabbit with pink eyes ran close by her. The Rabbit took a watch out of its waistcoat-pocket and hurried on.',
    });
    const byName = Object.fromEntries(plan.newCharacters.map((c) => [c.name, c.description]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['Anna', 'brother', 'sister', 'White Rabbit']));
    expect(byName['White Rabbit']).toBe('a white rabbit with pink eyes, in a waistcoat');
    expect(Object.keys(byName)).not.toContain('Rabbit');
  });

  it('joins roles to the characters the passage says they are', () => {
    const plan = planOffline({
      passage:
        'Martha lived with Uncle Tobias, who was a shepherd, and a cow named Daisy. The cow gave milk every morning. ' +
        'One day an old woman came to the door. She was in reality a wicked witch, who wanted the cow.',
    });
    const names = plan.newCharacters.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Martha', 'Uncle Tobias', 'Daisy', 'witch']));
    expect(names).not.toContain('shepherd');
    expect(names).not.toContain('cow');
    expect(names).not.toContain('old woman');
    const described = Object.fromEntries(plan.newCharacters.map((c) => [c.name, c.description]));
    expect(described['Uncle Tobias']).toBe('a shepherd');
    expect(described['Daisy']).toBe('a cow');
    expect(described['witch']).toBe('a wicked witch');
  });
});

describe('offline planner: prompts a picture model can draw', () => {
  it('drops abstract words, keeps drawable things, and says where and when', () => {
    const plan = planOffline({
      passage:
        'The old king lived in the midst of a great forest, and all the world was quiet and full of life. ' +
        'One winter night the king walked through the snow with a lantern and a bunch of keys.',
    });
    const prompts = plan.scenes.map((s) => s.prompt).join(' | ');
    for (const abstract of ['midst', 'world', 'life']) expect(prompts).not.toMatch(new RegExp(`\\b${abstract}\\b`));
    expect(prompts).toContain('lantern');
    expect(prompts).toMatch(/in a forest at night, in the snow/);
  });

  it('matches mood words whole: a cold winter night is not a win', () => {
    const plan = planOffline({ passage: 'On a cold winter night the Fox walked alone through the snow to the river and looked at the dark water.' });
    expect(plan.scenes[0]!.mood).not.toBe('triumphant');
    expect(plan.scenes[0]!.mood).toBe('tense');
    const win = planOffline({ passage: 'The Hare stood on the hill: he had won the race, a great triumph.' });
    expect(win.scenes[0]!.mood).toBe('triumphant');
  });

  it('splits where the picture changes and keeps a character-less opening with the next scene', () => {
    const plan = planOffline({ passage: example('tom-sawyer-fence') });
    expect(plan.scenes[0]!.characters.map((c) => c.toLowerCase())).toContain('tom');
    expect(plan.scenes[0]!.passage.text.startsWith('Saturday morning was come')).toBe(true);
    expect(plan.scenes[0]!.prompt).toMatch(/bucket of whitewash/);
  });

  it('draws a thing that acts beside the characters, weighted, with its bunch or basket', () => {
    // "Bunches of grapes hung from a trellis": the grapes are the action's subject, a second thing to
    // draw, not words trailing the fox ("(a fox:1.2) grapes hanging" drew grapes in 1 of 4 drafts).
    const fox = planOffline({ passage: example('aesop-fox-and-grapes') });
    expect(fox.scenes[0]!.prompt).toMatch(/^\(a fox:1\.2\) and \(bunches of grapes:1\.1\) hanging, in a vineyard/);
    expect(fox.scenes[0]!.action).toBe('Fox and bunches of grapes hanging');
    // "came" draws nothing, so the basket's "stood" is the action; the cup of milk stays a key object
    // (its "of" is no word the action already said).
    const basket = planOffline({ passage: 'The old woman came into the kitchen. A basket of apples stood by the stove, and a cup of milk was on the table.' });
    expect(basket.scenes[0]!.prompt).toMatch(/^\(an old woman:1\.2\) and \(basket of apples:1\.1\) standing by \(stove:1\.1\), cup of milk, /);
  });
});

describe('offline planner: passages in other languages', () => {
  it('answers a Chinese passage with one sentence naming the language and the LLM planner, and plans nothing', () => {
    const plan = planOffline({ passage: '从前，宋国有一个农夫。一天，他正在田里干活，忽然一只兔子撞在树桩上死了。' });
    expect(plan.scenes).toEqual([]);
    expect(plan.newCharacters).toEqual([]);
    expect(plan.notice).toMatch(/^This passage looks like it is written in Chinese, and the offline planner reads English only: .*OPENAI_BASE_URL or OPENAI_API_KEY.*\.$/);
    expect(plan.notice!.split(/[.!?](\s|$)/).filter((x) => x && x.trim()).length).toBe(1);
  });

  it('recognises a Latin-script language that is not English, and never refuses English', () => {
    expect(planOffline({ passage: 'Es war einmal eine kleine süße Dirne, die hatte jedermann lieb, der sie nur ansah.' }).notice).toMatch(/German/);
    for (const name of ['aesop-fox-and-grapes', 'aesop-tortoise-and-hare', 'tom-sawyer-fence']) expect(planOffline({ passage: example(name) }).notice).toBeUndefined();
    expect(planOffline({ passage: 'Zorro ran.' }).notice).toBeUndefined();
  });
});
