/**
 * Which content rules apply where (pure; the Discord adapter supplies the facts). A server's own
 * blocklist applies everywhere in it. Outside age-restricted channels a small built-in list of
 * clearly adult, sexual and gore terms applies as well, and renders get a default negative prompt;
 * in age-restricted channels only the server's own list applies. The safety checker runs on every
 * picture unless an admin turned it off, which counts only in age-restricted channels.
 */
import { compileTerms, findBlockedTerm, termKey, type CompiledTerm } from './blocklist-match.js';

/**
 * Terms refused outside age-restricted channels. Kept short and unambiguous on purpose: words with
 * everyday meanings (breast, kill, blood) would refuse ordinary stories, so they are left to each
 * server's own list and to the safety checker.
 */
export const DEFAULT_BLOCKED_TERMS: readonly string[] = [
  'nsfw', 'nude', 'nudes', 'nudity', 'naked', 'topless', 'bottomless', 'porn', 'porno', 'pornographic', 'pornography',
  'hentai', 'xxx', 'sex', 'sexual', 'sexy', 'erotic', 'erotica', 'lewd', 'nipple', 'nipples', 'genitals', 'genitalia',
  'penis', 'vagina', 'orgasm', 'fetish', 'bdsm', 'masturbation', 'gore', 'gory', 'disembowel', 'disemboweled',
  'dismembered', 'dismemberment', 'decapitated', 'beheaded', 'mutilated', 'mutilation', 'entrails',
];

/** Added to every render's negative prompt outside age-restricted channels. */
export const DEFAULT_NEGATIVE = 'nsfw, nudity, gore';

/** What a server's blocklist may hold (guild settings validate the same with zod). */
export const BLOCKLIST_LIMITS = { maxTerms: 200, maxTermChars: 60 } as const;

/** Where a piece of text is going: the picture's content, or what the picture should avoid. */
export type TextKind = 'content' | 'negative';

/** The facts a decision needs about where a request was made. */
export interface ContentScope {
  /** The channel (or a thread's parent) is marked age-restricted (NSFW). */
  ageRestricted: boolean;
  /** The server's own blocked words and phrases, as admins typed them. */
  serverTerms: readonly string[];
}

/** Why a text was refused: the term, and whose list it is on. */
export interface Refusal {
  term: string;
  list: 'server' | 'default';
}

const DEFAULT_COMPILED = compileTerms(DEFAULT_BLOCKED_TERMS);
const compiledServerLists = new Map<string, CompiledTerm[]>();

/** Compiled server terms, cached by content (lists are small and change rarely). */
function compiledServerTerms(terms: readonly string[]): CompiledTerm[] {
  const key = terms.join('\n');
  let compiled = compiledServerLists.get(key);
  if (!compiled) {
    if (compiledServerLists.size > 500) compiledServerLists.clear();
    compiled = compileTerms(terms);
    compiledServerLists.set(key, compiled);
  }
  return compiled;
}

/**
 * The first rule `text` breaks in `scope`, or undefined. The built-in list checks only content, not
 * negatives: "negative: nudity" steers a picture away from it, and the default negative says the same.
 * @example checkText({ ageRestricted: false, serverTerms: [] }, 'a nude statue', 'content') // -> { term: 'nude', list: 'default' }
 */
export function checkText(scope: ContentScope, text: string, kind: TextKind): Refusal | undefined {
  const server = findBlockedTerm(text, compiledServerTerms(scope.serverTerms));
  if (server !== undefined) return { term: server, list: 'server' };
  if (scope.ageRestricted || kind === 'negative') return undefined;
  const builtIn = findBlockedTerm(text, DEFAULT_COMPILED);
  return builtIn === undefined ? undefined : { term: builtIn, list: 'default' };
}

/** The first refusal among several texts (a prompt and its negative, a style and its negative). */
export function checkTexts(scope: ContentScope, texts: readonly { text: string; kind: TextKind }[]): Refusal | undefined {
  for (const { text, kind } of texts) {
    const refusal = checkText(scope, text, kind);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * The negative prompt a render is sent with: outside age-restricted channels DEFAULT_NEGATIVE is added
 * (once; a render that already carries it is left as it is).
 * @example negativeFor(false, 'text') // -> 'text, nsfw, nudity, gore'
 */
export function negativeFor(ageRestricted: boolean, negative: string): string {
  if (ageRestricted || negative.includes(DEFAULT_NEGATIVE)) return negative;
  return [negative.trim(), DEFAULT_NEGATIVE].filter(Boolean).join(', ');
}

/** Whether the safety checker runs on a render: always, unless turned off and the channel is age-restricted. */
export function safetyCheckerRuns(ageRestricted: boolean, offInAgeRestricted: boolean): boolean {
  return !(ageRestricted && offInAgeRestricted);
}

/** Admins may turn the safety checker off only from an age-restricted channel. */
export function mayTurnOffSafetyChecker(ageRestricted: boolean): boolean {
  return ageRestricted;
}

/** Splits what an admin typed into terms: commas or new lines separate them; spaces inside are kept. */
export function splitTerms(text: string): string[] {
  return text.split(/[,\n]/).map((t) => t.trim().replace(/\s+/g, ' ')).filter((t) => t.length > 0);
}

export interface BlocklistEdit {
  list: string[];
  added: string[];
  removed: string[];
  /** Sentences about terms that were not taken (too long, no letters, the list is full, not on it). */
  problems: string[];
}

/**
 * Adds and removes terms (comparing folded forms, so "NUDE" removes "nude" and is not added twice),
 * within BLOCKLIST_LIMITS.
 * @example editBlocklist(['castle'], 'moat, drawbridge', 'castle').list // -> ['moat', 'drawbridge']
 */
export function editBlocklist(current: readonly string[], add: string, remove: string): BlocklistEdit {
  const keyOf = termKey;
  const list = [...current];
  const added: string[] = [];
  const removed: string[] = [];
  const problems: string[] = [];
  for (const term of splitTerms(remove)) {
    const index = list.findIndex((t) => keyOf(t) === keyOf(term));
    if (index === -1) problems.push(`"${term}" was not on the list.`);
    else removed.push(...list.splice(index, 1));
  }
  for (const term of splitTerms(add)) {
    if (term.length > BLOCKLIST_LIMITS.maxTermChars) problems.push(`"${term.slice(0, 20)}…" is longer than ${BLOCKLIST_LIMITS.maxTermChars} characters.`);
    else if (compileTerms([term]).length === 0) problems.push(`"${term}" has no letters or digits to match.`);
    else if (list.some((t) => keyOf(t) === keyOf(term))) continue;
    else if (list.length >= BLOCKLIST_LIMITS.maxTerms) problems.push(`The list is full (${BLOCKLIST_LIMITS.maxTerms} entries); "${term}" was not added.`);
    else (list.push(term), added.push(term));
  }
  return { list, added, removed, problems };
}
