/**
 * Reads one sentence for the words that may name a character, before anything is decided: runs of
 * capitalised words ("the White Rabbit", "Mr. McGregor", "Ben Rogers"), nouns the WordNet lexicon
 * knows as people, animals or beings ("a wolf", "the old woman", "her sister", "two huge mastiffs"),
 * and personal pronouns. Quoted speech is masked first: who is talked about in dialogue ("your Father
 * was put in a pie") is not who is in the picture. Each noun mention carries the evidence the finder
 * weighs: whether it acts (is followed by a verb or "who", is a speaker, or is introduced by "there
 * lived a..."), whether it only modifies another noun ("the hunter's net") and whether it is
 * hypothetical ("a little child could stand").
 */
import nlp from 'compromise';
import { lookUpNoun, type CharacterKind } from './noun-lexicon.js';

export interface WordToken {
  text: string;
  start: number;
  end: number;
}

export interface NameMention {
  kind: 'name';
  surface: string;
  start: number;
  end: number;
  /** False when the run is only capitalised because it opens the sentence or a quote. */
  strong: boolean;
  acts: boolean;
  /** Has an article or possessive before it ("the Fox", "a White Rabbit"): a titled character. */
  determined: boolean;
  /** Follows "named" or "called" ("a cow named Daisy"): certainly a name. */
  given: boolean;
}

export interface NounMention {
  kind: 'noun';
  /** As written, without a possessive 's ("old woman", "mastiffs"). */
  surface: string;
  lemma: string;
  plural: boolean;
  character: CharacterKind;
  rank: 1 | 2 | 'generic';
  start: number;
  end: number;
  acts: boolean;
  speaks: boolean;
  possessive: boolean;
  hypothetical: boolean;
  /** "the children", "his two sons": a group already known, not someone new. */
  definite: boolean;
  /** The article or possessive opening the noun phrase ("the", "a", "her"), or ''. */
  determiner: string;
}

export interface PronounMention {
  kind: 'pronoun';
  word: string;
  plural: boolean;
  start: number;
  end: number;
}

export type Mention = NameMention | NounMention | PronounMention;

const WORD = /[\p{L}][\p{L}'’-]*/gu;
const NOT_NAMES = new Set(
  `i i'm i'll i've i'd o oh ah the a an and but or so then when while if as at in on by of to for from with
  he she it they we you his her its their our your my sir lord lady god yes no hello why say well good now come
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december`.split(/\s+/),
);
const TITLES = /^(mr|mrs|ms|dr|st)$/i;
const PRONOUNS = /^(he|him|she|her|they|them)$/i;
const SPEECH = /^(said|says|asked|replied|answered|cried|called|shouted|whispered|thought|exclaimed|begged|added|growled|roared)$/i;
const BEING_VERBS = /^(lived|dwelt|was|were|came|stood|sat|lay|appeared|walked|ran|flew|hopped|crept)$/i;
const DETERMINERS = /^(a|an|the|his|her|their|its|my|your|our|two|three|four|five|some|many|several|one)$/i;
const MODAL = /^(could|would|might|should|may|must|can)$/i;
const RELATIVE = /^(who|whom)$/i;
const FUNCTION_WORDS = /^(a|an|the|and|or|but|so|to|in|on|at|by|of|for|from|with|as|that|this|up|down|out|off|again|away|back|very|too|well|go|be)$/i;

/**
 * Hides quoted speech: the passage with every character inside quotation marks replaced by a space,
 * so offsets stay valid. Quotes do not run past a paragraph break.
 */
export function maskQuotes(passage: string): string {
  let inside = false;
  let out = '';
  for (let i = 0; i < passage.length; i++) {
    const c = passage[i]!;
    if (c === '\n' && /^\n[ \t]*\n/.test(passage.slice(i, i + 3).padEnd(2))) inside = false;
    if (c === '"' || c === '“' || c === '”' || c === '«' || c === '»') {
      inside = c === '“' || c === '«' ? true : c === '”' || c === '»' ? false : !inside;
      out += ' ';
      continue;
    }
    out += inside ? (c === '\n' ? '\n' : ' ') : c;
  }
  return out;
}

/** Words of a (masked) sentence with their offsets. */
export function wordsOf(text: string): WordToken[] {
  return [...text.matchAll(WORD)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
}

/** The mentions in one sentence, whose quoted speech is already masked; offsets are in `text`. */
export function sentenceMentions(text: string): Mention[] {
  const words = wordsOf(text);
  const { verbs: verbsAt, adverbs, nouns: nounsAt } = tagOffsets(text);
  const acts = (next: number) => {
    let j = next;
    while (j < words.length && (adverbs.has(words[j]!.start) || /^(also|then|soon|only|once|however|suddenly|quickly|actually|rather)$/i.test(words[j]!.text)) && text.slice(words[j - 1]!.end, words[j]!.start).trim() === '') j++;
    const w = words[j];
    if (!w) return false;
    const gap = text.slice(words[j - 1]!.end, w.start);
    if (RELATIVE.test(w.text) && /^\s*,?\s*$/.test(gap)) return true;
    return gap.trim() === '' && (verbsAt.has(w.start) || isGerund(w.text)) && !MODAL.test(w.text);
  };
  const out: Mention[] = [];
  const inRun = new Set<number>();
  for (const run of capitalisedRuns(text, words)) {
    for (let k = run.from; k <= run.to; k++) inRun.add(k);
    const last = words[run.to]!;
    const surface = text.slice(words[run.from]!.start, last.end).replace(/['’]s$/, '');
    const before = words[run.from - 1];
    const determined = !!before && /^(the|a|an|this|that|his|her|their|its|my|your|our)$/i.test(before.text) && text.slice(before.end, words[run.from]!.start) === ' ';
    const given = !!before && /^(named|called)$/i.test(before.text);
    out.push({ kind: 'name', surface, start: words[run.from]!.start, end: last.end, strong: run.strong, acts: acts(run.to + 1) || spoken(words, run.from, text), determined, given });
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (PRONOUNS.test(w.text)) {
      // "her" before a noun is a possessive ("her sister"), not the person herself.
      const after = words[i + 1];
      const possessive = /^her$/i.test(w.text) && after && text.slice(w.end, after.start).trim() === '' && !FUNCTION_WORDS.test(after.text) && !verbsAt.has(after.start);
      if (!possessive) out.push({ kind: 'pronoun', word: w.text.toLowerCase(), plural: /^(they|them)$/i.test(w.text), start: w.start, end: w.end });
      continue;
    }
    if (inRun.has(i)) continue;
    for (let n = 3; n >= 1; n--) {
      const span = words.slice(i, i + n);
      if (span.length < n || span.some((s, k) => k > 0 && text.slice(span[k - 1]!.end, s.start) !== ' ')) continue;
      const lastWord = span.at(-1)!;
      const possessive = /['’]s$/.test(lastWord.text) || /^\s*['’]\s/.test(text.slice(lastWord.end, lastWord.end + 3));
      const phrase = span.map((s) => s.text).join(' ').replace(/['’]s$/, '');
      if (n === 1 && (NOT_NAMES.has(phrase.toLowerCase()) || /^\p{Lu}/u.test(phrase) && i > 0 && !isSentenceStart(text, w.start))) continue;
      const entry = lookUpNoun(phrase);
      if (!entry?.character) continue;
      // In context it must read as a noun: "could no longer procure" is not about a "longer".
      if (!nounsAt.has(lastWord.start) && !nounsAt.has(w.start)) continue;
      // A noun before another noun only modifies it: "her favourite plaything", "the rabbit hole".
      const following = words[i + n];
      const nounAfter = following && (/thing$/i.test(following.text) || (nounsAt.has(following.start) && !verbsAt.has(following.start) && !isGerund(following.text)));
      if (!possessive && nounAfter && !/^\p{Lu}/u.test(following.text) && text.slice(lastWord.end, following.start) === ' ' && !/^(who|whom)$/i.test(following.text)) continue;
      const next = words[i + n];
      out.push({
        kind: 'noun', surface: phrase.toLowerCase(), lemma: entry.lemma, plural: entry.plural, character: entry.character, rank: entry.rank!,
        start: w.start, end: lastWord.end, possessive,
        hypothetical: !!next && MODAL.test(next.text),
        acts: !possessive && (acts(i + n) || introduced(words, i, text) || accompanies(words, i, text)),
        speaks: spoken(words, i, text),
        definite: /^(the|these|those|his|her|their|its|my|your|our)$/.test(determinerOf(words, i)),
        determiner: determinerOf(words, i),
      });
      i += n - 1;
      break;
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** "said the Crane", "the Crane said": the mention is a speaker. */
function spoken(words: WordToken[], at: number, text: string): boolean {
  let j = at - 1;
  while (j >= 0 && DETERMINERS.test(words[j]!.text) || (j >= 0 && /^(old|little|poor|young|other)$/i.test(words[j]!.text))) j--;
  const before = words[j];
  if (before && SPEECH.test(before.text) && text.slice(before.end, words[j + 1]!.start).trim() === '') return true;
  return false;
}

/** "There lived a king", "dwelt a poor wood-cutter", "in came two huge mastiffs": introduced as acting. */
function introduced(words: WordToken[], at: number, text: string): boolean {
  let j = at - 1;
  while (j >= 0 && !DETERMINERS.test(words[j]!.text) && /^\p{Ll}/u.test(words[j]!.text) && at - j <= 3) j--;
  if (j < 0 || !DETERMINERS.test(words[j]!.text)) return false;
  const verb = words[j - 1];
  if (!verb || !BEING_VERBS.test(verb.text) || text.slice(verb.end, words[j]!.start).trim() !== '') return false;
  // "there was a king" introduces someone; "he was a farmer" only says what someone is.
  return !/^(was|were)$/i.test(verb.text) || /^there$/i.test(words[j - 2]?.text ?? '');
}

/** "with his wife", "with her sister": someone who comes along with a character. */
function accompanies(words: WordToken[], at: number, text: string): boolean {
  let j = at - 1;
  while (j >= 0 && /^\p{Ll}/u.test(words[j]!.text) && !/^(his|her|their|its)$/i.test(words[j]!.text) && at - j <= 2) j--;
  return j >= 1 && /^(his|her|their|its)$/i.test(words[j]!.text) && /^with$/i.test(words[j - 1]!.text) && text.slice(words[j - 1]!.end, words[j]!.start) === ' ';
}

/** The article or possessive that opens the noun phrase, within three words before the noun. */
function determinerOf(words: WordToken[], at: number): string {
  const opener = /^(the|these|those|his|her|their|its|my|your|our|a|an|some)$/i;
  let j = at - 1;
  while (j >= 0 && at - j <= 3 && !opener.test(words[j]!.text)) j--;
  return j >= 0 && opener.test(words[j]!.text) ? words[j]!.text.toLowerCase() : '';
}

function isSentenceStart(text: string, at: number): boolean {
  return /^[\s"“‘(]*$/.test(text.slice(0, at)) || /[.!?:;—]["”’]?\s*$/.test(text.slice(0, at));
}

/** What compromise reads in one sentence: offsets of verbs, adverbs and nouns, and its verb phrases. */
export interface SentenceTags {
  verbs: Set<number>;
  adverbs: Set<number>;
  nouns: Set<number>;
  /** Lower-case names compromise reads as people. */
  people: string[];
  verbPhrases: Array<{ verb: { root?: string; infinitive?: string; grammar?: { passive?: boolean } } }>;
}

// compromise is the planner's slowest part; each sentence is tagged once and shared by the
// character finder and the scene reader (bounded, so a long-running bot does not grow).
const tagCache = new Map<string, SentenceTags>();

/** Tags of one sentence (common past forms compromise misses count as verbs). */
export function tagOffsets(text: string): SentenceTags {
  const cached = tagCache.get(text);
  if (cached) return cached;
  const verbs = new Set<number>();
  const adverbs = new Set<number>();
  const nouns = new Set<number>();
  const doc = nlp(text);
  const json = doc.json({ offset: true, terms: { offset: true } }) as Array<{ terms: Array<{ tags: string[]; offset: { start: number } }> }>;
  for (const s of json) {
    for (const t of s.terms) {
      if (t.tags.includes('Verb') || t.tags.includes('Auxiliary')) verbs.add(t.offset.start);
      else if (t.tags.includes('Adverb')) adverbs.add(t.offset.start);
      if (t.tags.includes('Noun') && !t.tags.includes('Pronoun')) nouns.add(t.offset.start);
    }
  }
  for (const m of text.matchAll(/\b(dwelt|lay|sat|stood|came|went|ran|flew|crept|hid)\b/g)) verbs.add(m.index!);
  const people = (doc.people().out('array') as string[]).map((p) => p.toLowerCase().replace(/[^\p{L}\s'.-]/gu, '').trim());
  const tags = { verbs, adverbs, nouns, people, verbPhrases: doc.verbs().json() as SentenceTags['verbPhrases'] };
  if (tagCache.size >= 2000) tagCache.delete(tagCache.keys().next().value!);
  tagCache.set(text, tags);
  return tags;
}

/**
 * Capitalised word runs. A run's leading words are dropped when they only open the sentence or a
 * quote, or are not names ("The", "Hello"); a title keeps its full stop ("Mr. McGregor").
 */
function capitalisedRuns(text: string, words: WordToken[]): Array<{ from: number; to: number; strong: boolean }> {
  const out: Array<{ from: number; to: number; strong: boolean }> = [];
  let run: number[] = [];
  const flush = () => {
    const initial = (k: number) => isSentenceStart(text, words[k]!.start);
    // A sentence's first word is dropped when it is a function word or a common noun ("Grandmother
    // lived..." is read as the noun); other initial words stay as weak mentions, which count only for
    // a name the passage also uses mid-sentence ("Hansel reached up").
    while (run.length > 0 && (NOT_NAMES.has(bare(words[run[0]!]!.text)) || (initial(run[0]!) && run.length === 1 && lookUpNoun(bare(words[run[0]!]!.text))?.character && !looksLikeName(run.map((k) => words[k]!.text))))) run.shift();
    while (run.length > 0 && NOT_NAMES.has(bare(words[run.at(-1)!]!.text))) run.pop();
    if (run.length > 0 && !(run.length === 1 && TITLES.test(words[run[0]!]!.text))) out.push({ from: run[0]!, to: run.at(-1)!, strong: !initial(run[0]!) });
    run = [];
  };
  words.forEach((w, k) => {
    const gap = k > 0 ? text.slice(words[k - 1]!.end, w.start) : '';
    const joined = run.length > 0 && (gap === ' ' || (gap === '. ' && TITLES.test(words[k - 1]!.text)));
    if (run.length > 0 && !joined) flush();
    if (/^\p{Lu}/u.test(w.text)) run.push(k);
    else flush();
  });
  flush();
  return out;
}

function bare(word: string): string {
  return word.toLowerCase().replace(/['’]s$/, '');
}

const gerundCache = new Map<string, boolean>();

/** "stretching", "sitting" (compromise reads them as nouns inside some sentences); not "plaything". */
function isGerund(word: string): boolean {
  if (!/ing$/i.test(word) || /thing$/i.test(word)) return false;
  let yes = gerundCache.get(word.toLowerCase());
  if (yes === undefined) {
    yes = nlp(word.toLowerCase()).has('#Gerund');
    if (gerundCache.size < 5000) gerundCache.set(word.toLowerCase(), yes);
  }
  return yes;
}

const nameCache = new Map<string, boolean>();

/** A sentence-initial capitalised word is kept only when compromise reads it as a proper noun. */
function looksLikeName(run: string[]): boolean {
  const key = run.join(' ');
  let yes = nameCache.get(key);
  if (yes === undefined) {
    const doc = nlp(key);
    yes = doc.has('#Person') || (run.length > 1 && doc.has('#ProperNoun'));
    if (nameCache.size < 5000) nameCache.set(key, yes);
  }
  return yes;
}
