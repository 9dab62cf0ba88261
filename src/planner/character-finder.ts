/**
 * Finds who is in a passage without an LLM. A name is a run of capitalised words that is not just a
 * sentence's first word: "the Fox" and "Ben Rogers" count, "Saturday morning was come" does not.
 * A run is taken as a character when it recurs, when compromise tags it as a person, when it is a
 * capitalised common noun after "the" (Aesop's "the Fox"), or when the story's CharacterSheet
 * already knows it. Short and long forms are merged ("Ben Rogers" and "Ben"), keeping the form used
 * most. Pronouns carry over: he/she points at the last named character, they at the last group.
 */
import nlp from 'compromise';
import type { CharacterSheet } from '../core/story/story.js';
import type { Sentence } from './passage-sentences.js';

export interface CastInPassage {
  /** Canonical names, in order of first appearance. */
  names: string[];
  /** For each sentence, the canonical names present in it (pronouns resolved). */
  perSentence: string[][];
  /** Names the story's sheet did not have. */
  newNames: string[];
}

const NOT_NAMES = new Set(
  `i i'm i'll i've i'd o oh ah the a an and but or so then when while if as at in on by of to for from with
  he she it they we you his her its their our your my mr mrs ms dr sir lord lady god yes no hello why say well
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december`.split(/\s+/),
);
const SINGULAR_PRONOUN = /^(he|him|his|himself|she|her|hers|herself)$/i;
const PLURAL_PRONOUN = /^(they|them|their|themselves)$/i;
const WORD = /[\p{L}][\p{L}'’-]*/gu;

interface Mention {
  sentence: number;
  surface: string;
  strong: boolean;
}

/** Finds the characters of a passage's sentences. */
export function findCharacters(sentences: Sentence[], cast: CharacterSheet = {}): CastInPassage {
  const mentions: Mention[] = [];
  sentences.forEach((s, i) => mentions.push(...capitalisedRuns(s.text, i)));
  const whole = nlp(sentences.map((s) => s.text).join(' '));
  const people = new Set(whole.people().out('array').map((p: string) => p.toLowerCase().replace(/[^\p{L}\s'-]/gu, '').trim()));

  const counts = new Map<string, { surface: string; count: number; strong: boolean }>();
  for (const m of mentions) {
    const key = m.surface.toLowerCase();
    const row = counts.get(key) ?? { surface: m.surface, count: 0, strong: false };
    row.count++;
    row.strong ||= m.strong;
    counts.set(key, row);
  }
  const known = Object.keys(cast);
  const accepted = new Map<string, string>(); // lower-case surface -> canonical
  const candidates = [...counts.entries()].filter(([key, row]) => {
    if (known.some((k) => k.toLowerCase() === key)) return true;
    if (isPlace(row.surface)) return false;
    return row.strong && (row.count >= 2 || people.has(key) || mentions.some((m) => m.surface === row.surface && m.strong && afterThe(sentences[m.sentence]!.text, m.surface)));
  });
  // Merge short forms into long ones ("Ben" into "Ben Rogers"), then pick the form used most.
  const groups: Array<{ keys: string[] }> = [];
  for (const [key] of candidates.sort((a, b) => b[0].split(' ').length - a[0].split(' ').length)) {
    const words = key.split(' ');
    const group = groups.find((g) => g.keys.some((k) => k.split(' ').length > 1 && words.length === 1 && k.split(' ').includes(words[0]!)));
    if (group) group.keys.push(key);
    else groups.push({ keys: [key] });
  }
  for (const group of groups) {
    const byUse = [...group.keys].sort((a, b) => counts.get(b)!.count - counts.get(a)!.count || b.length - a.length);
    const knownName = known.find((k) => group.keys.includes(k.toLowerCase()));
    const canonical = knownName ?? counts.get(byUse[0]!)!.surface;
    for (const key of group.keys) accepted.set(key, canonical);
  }

  const perSentence: string[][] = sentences.map(() => []);
  const names: string[] = [];
  let lastNamed: string | undefined;
  let lastGroup: string[] = [];
  sentences.forEach((s, i) => {
    const here: string[] = [];
    const firstName = Math.min(
      ...mentions.filter((m) => m.sentence === i && accepted.has(m.surface.toLowerCase())).map((m) => s.text.indexOf(m.surface)).filter((at) => at >= 0),
    );
    const pronounBeforeName = Number.isFinite(firstName) && (s.text.slice(0, firstName).match(WORD) ?? []).some((w) => SINGULAR_PRONOUN.test(w));
    for (const m of mentions.filter((m) => m.sentence === i)) {
      const canonical = accepted.get(m.surface.toLowerCase());
      if (canonical && !here.includes(canonical)) here.push(canonical);
    }
    const words = s.text.match(WORD) ?? [];
    if ((here.length === 0 || pronounBeforeName) && words.some((w) => SINGULAR_PRONOUN.test(w)) && lastNamed && !here.includes(lastNamed)) {
      here.unshift(lastNamed);
    }
    if (here.length === 0 && words.some((w) => PLURAL_PRONOUN.test(w))) here.push(...lastGroup);
    for (const n of here) if (!names.includes(n)) names.push(n);
    if (here.length > 0) {
      const named = mentions.filter((m) => m.sentence === i).map((m) => accepted.get(m.surface.toLowerCase())).filter((n): n is string => !!n);
      lastNamed = named.at(-1) ?? lastNamed;
      lastGroup = here;
    }
    perSentence[i] = here;
  });
  const newNames = names.filter((n) => !known.some((k) => k.toLowerCase() === n.toLowerCase()));
  return { names, perSentence, newNames };
}

/** Capitalised word runs; a run's first word is dropped when it only opens a sentence or a quote. */
function capitalisedRuns(text: string, sentence: number): Mention[] {
  const out: Mention[] = [];
  let run: Array<{ word: string; initial: boolean }> = [];
  let previousEnd = 0;
  const flush = () => {
    while (run.length > 0 && (NOT_NAMES.has(run[0]!.word.toLowerCase()) || (run[0]!.initial && !looksLikeName(run)))) run.shift();
    while (run.length > 0 && NOT_NAMES.has(run.at(-1)!.word.toLowerCase())) run.pop();
    if (run.length > 0) {
      out.push({ sentence, surface: run.map((r) => r.word.replace(/['’]s$/, '')).join(' '), strong: !run[0]!.initial });
    }
    run = [];
  };
  for (const m of text.matchAll(WORD)) {
    const word = m[0];
    const gap = text.slice(previousEnd, m.index!);
    const initial = previousEnd === 0 && gap.trim() === '' ? true : /["“‘(—:]\s*$/.test(gap) || /[.!?]["”’]?\s*$/.test(gap);
    if (run.length > 0 && gap.trim() !== '') flush();
    if (/^\p{Lu}/u.test(word)) run.push({ word, initial });
    else flush();
    previousEnd = m.index! + word.length;
  }
  flush();
  return out;
}

/** A sentence-initial capitalised word is kept only when compromise reads it as a proper noun. */
function looksLikeName(run: Array<{ word: string }>): boolean {
  const doc = nlp(run.map((r) => r.word).join(' '));
  return doc.has('#Person') || (run.length > 1 && doc.has('#ProperNoun'));
}

function isPlace(surface: string): boolean {
  return nlp(surface).has('#Place') || /\b(Hill|River|Street|Lane|Land|Village|Town|City|Forest|Wood|Lake|Mountain)$/.test(surface);
}

function afterThe(text: string, surface: string): boolean {
  return new RegExp(`\\bthe ${surface.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text) && !nlp(surface).has('#Plural');
}

/**
 * A first description for a character the sheet does not know yet. The offline planner cannot see
 * what people look like, so it says what they are ("a fox", "a boy") and leaves the rest to the group.
 */
export function describeNewCharacter(name: string, sentences: Sentence[]): string {
  const lower = name.toLowerCase();
  const asPerson = nlp(name).has('#Person') || name.includes(' ');
  if (!asPerson && nlp(lower).has('#Noun')) return `a ${lower}`;
  const near = sentences.filter((s) => s.text.toLowerCase().includes(lower)).map((s) => s.text.toLowerCase()).join(' ');
  const kind = /\b(old man|old woman|boy|girl|man|woman|child|king|queen|prince|princess|knight|witch|soldier)\b/.exec(near)?.[1];
  return kind ? `${name}, a ${kind}` : `${name}, a person`;
}
