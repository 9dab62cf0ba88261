// Content controls, pure core: whole-word blocklist matching that sees through simple evasions, which
// list applies where, the default negative prompt, the safety-checker rule and blocklist editing.
import { describe, expect, it } from 'vitest';
import { compileTerms, findBlockedTerm } from '../src/core/content/blocklist-match.js';
import {
  BLOCKLIST_LIMITS,
  checkText,
  checkTexts,
  DEFAULT_NEGATIVE,
  editBlocklist,
  mayTurnOffSafetyChecker,
  negativeFor,
  safetyCheckerRuns,
  splitTerms,
} from '../src/core/content/content-policy.js';

const terms = compileTerms(['nude', 'bad word', 'ass', 'rape']);
const find = (text: string) => findBlockedTerm(text, terms);

/** Ways people write a blocked word so a naive filter misses it; every one must be caught. */
const EVASIONS: readonly [string, string][] = [
  ['upper case', 'a NUDE statue'],
  ['mixed case', 'a NuDe statue'],
  ['diacritics', 'a nüdé statue'],
  ['combining marks (zalgo)', 'a n\u0336u\u0337d\u0338e\u0335 statue'],
  ['fullwidth letters', 'a ｎｕｄｅ statue'],
  ['mathematical bold letters', 'a 𝐧𝐮𝐝𝐞 statue'],
  ['circled letters', 'a ⓝⓤⓓⓔ statue'],
  ['Cyrillic look-alike', 'a nud\u0435 statue'],
  ['Greek look-alike', 'a nud\u03b5 statue'],
  ['zero-width space inside', 'a nu\u200bde statue'],
  ['zero-width joiner and soft hyphen', 'a n\u200du\u00adde statue'],
  ['dots between letters', 'a n.u.d.e statue'],
  ['hyphens between letters', 'a n-u-d-e statue'],
  ['underscores and stars', 'a n_u*d_e statue'],
  ['spaced-out letters', 'a n u d e statue'],
  ['leetspeak', 'a nud3 statue'],
  ['punctuation around', '(nude), statue'],
  ['prompt weights around', 'a (nude:1.4) statue'],
  ['extra spaces in a phrase', 'a bad    word here'],
  ['line break in a phrase', 'a bad\nword here'],
  ['tab and punctuation in a phrase', 'a bad\t-word here'],
];

describe('blocklist matching', () => {
  it.each(EVASIONS)('catches %s', (_how, text) => {
    expect(find(text)).toBeDefined();
  });

  it('matches whole words and phrases only', () => {
    expect(find('a bunch of grapes')).toBeUndefined();
    expect(find('a classic class assignment')).toBeUndefined();
    expect(find('nudes and more')).toBeUndefined(); // another word; servers list it separately
    expect(find('a bad wordsmith')).toBeUndefined();
    expect(find('the word bad')).toBeUndefined();
    expect(find('an ass in the barn')).toBe('ass');
    expect(find('a red scarf')).toBeUndefined();
    expect(find('')).toBeUndefined();
  });

  it('does not join ordinary neighbouring words into a term', () => {
    // "nu de" and "an al..." are ordinary text: only single spaced-out letters are joined.
    expect(find('the nu de stijl movement')).toBeUndefined();
    expect(findBlockedTerm('an alpaca', compileTerms(['anal']))).toBeUndefined();
    expect(findBlockedTerm('go red', compileTerms(['gore']))).toBeUndefined();
  });

  it('returns the term as the admin typed it, and ignores terms without letters', () => {
    expect(findBlockedTerm('a NUDE thing', compileTerms(['NuDe']))).toBe('NuDe');
    expect(compileTerms(['...', ' ', '!!'])).toEqual([]);
  });
});

describe('content policy', () => {
  const normal = { ageRestricted: false, serverTerms: ['castle'] };
  const adult = { ageRestricted: true, serverTerms: ['castle'] };

  it('applies the built-in list only outside age-restricted channels', () => {
    expect(checkText(normal, 'a nude figure', 'content')).toEqual({ term: 'nude', list: 'default' });
    expect(checkText(adult, 'a nude figure', 'content')).toBeUndefined();
    expect(checkText(normal, 'a fox in the snow', 'content')).toBeUndefined();
  });

  it("applies the server's own list everywhere, to content and negatives", () => {
    expect(checkText(normal, 'a c.a.s.t.l.e', 'content')).toEqual({ term: 'castle', list: 'server' });
    expect(checkText(adult, 'a CASTLE', 'content')).toEqual({ term: 'castle', list: 'server' });
    expect(checkText(adult, 'castle, blur', 'negative')).toEqual({ term: 'castle', list: 'server' });
  });

  it('lets negatives name what the built-in list refuses (they steer away from it)', () => {
    expect(checkText(normal, 'nudity, gore', 'negative')).toBeUndefined();
    expect(checkTexts(normal, [{ text: 'a fox', kind: 'content' }, { text: 'gore', kind: 'negative' }])).toBeUndefined();
    expect(checkTexts(normal, [{ text: 'a fox', kind: 'content' }, { text: 'gory fox', kind: 'content' }])?.term).toBe('gory');
  });

  it('adds the default negative outside age-restricted channels, once', () => {
    expect(negativeFor(false, '')).toBe(DEFAULT_NEGATIVE);
    expect(negativeFor(false, 'text, watermark')).toBe(`text, watermark, ${DEFAULT_NEGATIVE}`);
    expect(negativeFor(false, negativeFor(false, 'text'))).toBe(`text, ${DEFAULT_NEGATIVE}`);
    expect(negativeFor(true, 'text')).toBe('text');
  });

  it('keeps the safety checker on unless turned off in an age-restricted channel', () => {
    expect(safetyCheckerRuns(false, false)).toBe(true);
    expect(safetyCheckerRuns(false, true)).toBe(true);
    expect(safetyCheckerRuns(true, false)).toBe(true);
    expect(safetyCheckerRuns(true, true)).toBe(false);
    expect(mayTurnOffSafetyChecker(false)).toBe(false);
    expect(mayTurnOffSafetyChecker(true)).toBe(true);
  });
});

describe('blocklist editing', () => {
  it('splits on commas and new lines and keeps phrases', () => {
    expect(splitTerms(' moat, bad   word\n drawbridge ,, ')).toEqual(['moat', 'bad word', 'drawbridge']);
  });

  it('adds, removes by folded form, and skips duplicates', () => {
    const edit = editBlocklist(['castle'], 'moat, MOAT, Moat, drawbridge', 'CASTLE, tower');
    expect(edit.list).toEqual(['moat', 'drawbridge']);
    expect(edit.added).toEqual(['moat', 'drawbridge']);
    expect(edit.removed).toEqual(['castle']);
    expect(edit.problems).toEqual(['"tower" was not on the list.']);
  });

  it('refuses terms that are too long, have no letters, or do not fit', () => {
    const long = 'x'.repeat(BLOCKLIST_LIMITS.maxTermChars + 1);
    expect(editBlocklist([], `${long}, ...`, '').problems).toHaveLength(2);
    const full = Array.from({ length: BLOCKLIST_LIMITS.maxTerms }, (_, i) => `word${'abcdefghij'[i % 10]}${Math.floor(i / 10)}`);
    const edit = editBlocklist(full, 'one more', '');
    expect(edit.list).toHaveLength(BLOCKLIST_LIMITS.maxTerms);
    expect(edit.problems[0]).toMatch(/full/);
  });
});
