/**
 * Finds blocked words and phrases in text a member wants drawn. Matching is case-insensitive and on
 * whole words or phrases ("ass" never matches "class", "rape" never "grape"), and it sees through the
 * simple ways people dodge a word filter:
 *
 * - Unicode look-alikes: NFKD folds fullwidth (ｎｕｄｅ), mathematical (𝐧𝐮𝐝𝐞) and circled letters;
 *   combining marks are dropped (nüdé, zalgo); Cyrillic and Greek letters that look Latin (nudе with
 *   a Cyrillic е) are mapped by a small table.
 * - Invisible characters (zero-width space/joiner, soft hyphen, direction marks: Unicode Cf) are removed.
 * - Punctuation between letters (n.u.d.e, n-u-d-e, n_u_d_e) and spaced-out letters (n u d e).
 * - Extra spaces or line breaks inside a phrase ("bad   word").
 * - Simple leetspeak digits and symbols (nud3, @, $).
 *
 * How: both the text and each term are reduced to their letters and digits ("squashed"), and the text
 * remembers where its words broke. A term matches where its squashed form occurs starting and ending
 * at word breaks; a break inside the match is allowed when it is punctuation, when the term itself
 * has a word break there, or when it separates single spaced-out letters. Pure: no I/O.
 */

/** Latin look-alikes that NFKD leaves alone (Cyrillic, Greek), lower case. */
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  ı: 'i', ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe',
};

/** Digits and symbols commonly typed for letters. */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** No break, a punctuation break (may be crossed), or a space break. */
const Break = { None: 0, Punctuation: 1, Space: 2 } as const;
type Break = (typeof Break)[keyof typeof Break];

/** Text reduced for matching: its letters and digits, and the kind of break before each position. */
interface Folded {
  letters: string;
  /** breaks[i]: the break between letters[i-1] and letters[i] (index letters.length = the end). */
  breaks: Break[];
  /** For each letter, the number of letters in its space-delimited word (spots spaced-out letters). */
  wordLength: number[];
}

/** NFKD, marks and invisible characters removed, look-alikes mapped, lower case. */
export function foldCharacters(text: string): string {
  const decomposed = text.normalize('NFKD').replace(/[\p{M}\p{Cf}]/gu, '').toLowerCase();
  let out = '';
  for (const ch of decomposed) out += CONFUSABLES[ch] ?? LEET[ch] ?? ch;
  return out;
}

function fold(text: string): Folded {
  let letters = '';
  const breaks: Break[] = [];
  let pending: Break = Break.None;
  for (const ch of foldCharacters(text)) {
    if (/[\p{L}\p{N}]/u.test(ch)) {
      breaks.push(letters.length === 0 ? Break.Space : pending);
      letters += ch;
      pending = Break.None;
    } else if (/\s/u.test(ch)) {
      pending = Break.Space;
    } else if (pending === Break.None) {
      pending = Break.Punctuation;
    }
  }
  breaks.push(Break.Space);
  const wordLength = new Array<number>(letters.length).fill(0);
  for (let start = 0; start < letters.length; ) {
    let end = start + 1;
    while (end < letters.length && breaks[end] !== Break.Space) end++;
    for (let i = start; i < end; i++) wordLength[i] = end - start;
    start = end;
  }
  return { letters, breaks, wordLength };
}

/** A term ready to match: its squashed letters and where its own words break. */
export interface CompiledTerm {
  /** The term as the admin typed it (shown in the refusal). */
  term: string;
  letters: string;
  /** Offsets into `letters` where the term's words break (a phrase's word boundaries). */
  wordBreaks: Set<number>;
}

/** Prepares one term; undefined when it has no letters or digits at all. */
export function compileTerm(term: string): CompiledTerm | undefined {
  const folded = fold(term);
  if (folded.letters.length === 0) return undefined;
  const wordBreaks = new Set<number>();
  for (let i = 1; i < folded.letters.length; i++) if (folded.breaks[i] !== Break.None) wordBreaks.add(i);
  return { term, letters: folded.letters, wordBreaks };
}

/** Two terms with the same key match the same texts ("NUDE" and "nude", "bad  word" and "bad word"). */
export function termKey(term: string): string {
  const compiled = compileTerm(term);
  return compiled ? `${compiled.letters}|${[...compiled.wordBreaks].join(',')}` : '';
}

/** Prepares a list of terms, skipping any that hold no letters or digits. */
export function compileTerms(terms: readonly string[]): CompiledTerm[] {
  return terms.map(compileTerm).filter((t): t is CompiledTerm => t !== undefined);
}

function matchesAt(text: Folded, term: CompiledTerm, start: number): boolean {
  const end = start + term.letters.length;
  if (text.breaks[start] === Break.None || text.breaks[end] === Break.None) return false; // not a whole word
  for (let i = start + 1; i < end; i++) {
    if (text.breaks[i] !== Break.Space) continue; // inside a word, or punctuation between letters
    if (term.wordBreaks.has(i - start)) continue; // the phrase's own space, however many were typed
    if (text.wordLength[i - 1] === 1 && text.wordLength[i] === 1) continue; // s p a c e d   letters
    return false;
  }
  return true;
}

/**
 * The first term (as typed) that `text` uses, or undefined.
 * @example findBlockedTerm('a n.u.d.e figure', compileTerms(['nude'])) // -> 'nude'
 * @example findBlockedTerm('a bunch of grapes', compileTerms(['rape'])) // -> undefined
 */
export function findBlockedTerm(text: string, terms: readonly CompiledTerm[]): string | undefined {
  if (terms.length === 0) return undefined;
  const folded = fold(text);
  for (const term of terms) {
    for (let at = folded.letters.indexOf(term.letters); at !== -1; at = folded.letters.indexOf(term.letters, at + 1)) {
      if (matchesAt(folded, term, at)) return term.term;
    }
  }
  return undefined;
}
