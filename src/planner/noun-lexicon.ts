/**
 * The offline planner's knowledge of English nouns: which ones denote characters (people, animals,
 * imaginary beings) and which ones are things a picture can show. It is WordNet's noun hierarchy,
 * extracted once by scripts/build-character-lexicon.ts into lexicon/nouns.tsv (committed, ~350 kB);
 * this module reads that file on first use, so nothing is downloaded and the 34 MB WordNet database
 * is never loaded by the bot. Plurals are looked up by their singular.
 */
import { readFileSync } from 'node:fs';

export type CharacterKind = 'person' | 'animal' | 'being';

export interface NounEntry {
  /** Set when the noun denotes a character. */
  character?: CharacterKind;
  /** 1: its most frequent sense is a character; 2: only a later sense is; 'generic': person, creature... */
  rank?: 1 | 2 | 'generic';
  /** A picture can show it (artifact, food, plant, body part, natural object, substance). */
  thing: boolean;
  /** Its most frequent sense is a part of the body ("nose", "paw"): drawn with its owner. */
  body: boolean;
  /** Something worn (clothing.n.01 and below: "waistcoat", "cap", "apron"). */
  worn: boolean;
}

const KINDS: Record<string, CharacterKind> = { p: 'person', a: 'animal', b: 'being' };
const IRREGULAR_PLURALS: Record<string, string> = {
  men: 'man', women: 'woman', children: 'child', mice: 'mouse', geese: 'goose', feet: 'foot', teeth: 'tooth',
  oxen: 'ox', people: 'person', dice: 'die', lice: 'louse', sheep: 'sheep', deer: 'deer', fish: 'fish',
};

let table: Map<string, NounEntry> | undefined;

function load(): Map<string, NounEntry> {
  const text = readFileSync(new URL('./lexicon/nouns.tsv', import.meta.url), 'utf8');
  const map = new Map<string, NounEntry>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    const flags = line.slice(tab + 1);
    const entry: NounEntry = { thing: flags.includes('t'), body: flags.includes('y'), worn: flags.includes('w') };
    if (KINDS[flags[0]!]) {
      entry.character = KINDS[flags[0]!];
      entry.rank = flags[1] === 'g' ? 'generic' : flags[1] === '1' ? 1 : 2;
    }
    map.set(line.slice(0, tab), entry);
  }
  return map;
}

/** The lexicon, loaded on first use. */
function lexicon(): Map<string, NounEntry> {
  table ??= load();
  return table;
}

/** The singular forms a word may be the plural of, most likely first ("wolves" -> wolf, wolve). */
export function singularForms(word: string): string[] {
  const w = word.toLowerCase();
  if (IRREGULAR_PLURALS[w]) return [IRREGULAR_PLURALS[w]!];
  const out: string[] = [];
  if (w.endsWith('ies') && w.length > 4) out.push(`${w.slice(0, -3)}y`);
  if (w.endsWith('ves')) out.push(`${w.slice(0, -3)}f`, `${w.slice(0, -3)}fe`);
  if (/(s|x|z|ch|sh)es$/.test(w)) out.push(w.slice(0, -2));
  if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) out.push(w.slice(0, -1));
  return out;
}

/**
 * Looks a word (or a two- or three-word phrase) up, as written or as the plural of a lexicon entry.
 * @example lookUpNoun('wolves') // { lemma: 'wolf', plural: true, character: 'animal', rank: 1, thing: true }
 */
export function lookUpNoun(word: string): (NounEntry & { lemma: string; plural: boolean }) | undefined {
  const lower = word.toLowerCase().replace(/’/g, "'");
  const direct = lexicon().get(lower);
  if (direct) return { ...direct, lemma: lower, plural: false };
  // "wood-cutter" is WordNet's "woodcutter"; "farm-house" its "farmhouse".
  if (lower.includes('-')) {
    const joined = lookUpNoun(lower.replace(/-/g, ''));
    if (joined) return { ...joined, lemma: lower };
  }
  const words = lower.split(' ');
  for (const singular of singularForms(words.at(-1)!)) {
    const lemma = [...words.slice(0, -1), singular].join(' ');
    const entry = lexicon().get(lemma);
    if (entry) return { ...entry, lemma, plural: true };
  }
  return undefined;
}

/** How many nouns the lexicon holds (loads it). */
export function lexiconSize(): number {
  return lexicon().size;
}
