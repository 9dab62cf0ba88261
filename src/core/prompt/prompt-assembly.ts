/**
 * Builds the prompt a scene is rendered with: the scene's own weighted prompt, the description of
 * every character present (from the CharacterSheet, so a character looks the same in every panel),
 * and the story's locked style; plus the negative prompt from the style's defaults and the scene.
 *
 * The text encoder reads 75 tokens per chunk, and words past a chunk's end used to be cut off
 * silently. Here the style and the characters are never dropped: when the whole does not fit one
 * chunk, the scene's own detail is shortened first (least weighted, latest phrases first, never the
 * first phrase or one naming a character), and if that is not enough, the scene gets a chunk of its
 * own and the cast and style follow after `BREAK`. Token counts come from an injected `countTokens`
 * so this module stays pure; every shortening is reported in `notes`.
 */
import { findCastMember, type CharacterSheet, type StyleLock } from '../story/story.js';
import { parseWeightedPrompt, plainText } from './weighted-prompt.js';

export interface PromptAssemblyInput {
  /** The scene's weighted prompt, as the planner wrote it. */
  scenePrompt: string;
  /** Names of the characters present in the scene. */
  characters: string[];
  cast: CharacterSheet;
  style: Pick<StyleLock, 'style' | 'negative'>;
  sceneNegative?: string;
}

export interface AssembledPrompt {
  prompt: string;
  negativePrompt: string;
  /** How many 75-token chunks the prompt is laid out in. */
  chunks: number;
  /** What was shortened or moved, in words a person can read. */
  notes: string[];
}

export interface PromptFitOptions {
  /** Tokens per encoder chunk (CLIP: 77 minus BOS and EOS). */
  chunkTokens?: number;
}

/** Counts tokens of a text as written; callers may strip weights first (`t => count(plainText(t))`). */
export type CountTokens = (text: string) => number;

/**
 * Assembles and fits a scene prompt.
 *
 * @example
 * assembleScenePrompt({ scenePrompt: '(fox:1.2), leaping at grapes', characters: ['Fox'],
 *   cast: { Fox: { description: 'a lean red fox', addedBy: 'u1' } },
 *   style: { style: 'watercolour', negative: 'blurry' } }, countTokens)
 * // -> { prompt: '(fox:1.2), leaping at grapes, a lean red fox, watercolour', negativePrompt: 'blurry', ... }
 * // (a description that names the character stands alone; others read "Ben, a boy in a straw hat")
 */
export function assembleScenePrompt(input: PromptAssemblyInput, countTokens: CountTokens, options: PromptFitOptions = {}): AssembledPrompt {
  const limit = options.chunkTokens ?? 75;
  const notes: string[] = [];
  const fits = (units: string[]) => countTokens(units.join(', ')) <= limit;

  const scene = splitPhrases(neutralise(input.scenePrompt, 'the scene prompt', notes));
  const castUnits = castPhrases(input, scene, notes);
  const styleText = neutralise(input.style.style.trim(), 'the style', notes);
  const styleUnits = styleText ? [styleText] : [];
  const negativePrompt = fitNegative([input.style.negative, input.sceneNegative ?? ''], countTokens, limit);

  const done = (chunks: string[][]): AssembledPrompt => ({
    prompt: chunks.map((c) => c.join(', ')).join(' BREAK '),
    negativePrompt,
    chunks: chunks.length,
    notes,
  });

  // 1. Everything in one chunk.
  if (fits([...scene, ...castUnits, ...styleUnits])) return done([[...scene, ...castUnits, ...styleUnits]]);

  // 2. Shorten the scene's own detail until the whole fits one chunk.
  const shortened = shortenToFit(scene, input.characters, (kept) => fits([...kept, ...castUnits, ...styleUnits]));
  if (shortened.fitted) {
    notes.push(`shortened the scene to fit one chunk: dropped ${quoteList(shortened.dropped)}`);
    return done([[...shortened.kept, ...castUnits, ...styleUnits]]);
  }

  // 3. The scene gets its own chunk (shortened only if it overflows alone); cast and style follow.
  const alone = shortenToFit(scene, input.characters, (kept) => fits(kept));
  if (alone.dropped.length > 0) notes.push(`shortened the scene to fit its chunk: dropped ${quoteList(alone.dropped)}`);
  if (!alone.fitted) notes.push(`the scene alone is longer than ${limit} tokens; the encoder will split it`);
  if (castUnits.length > 0 && fits([...alone.kept, ...castUnits]) && styleUnits.length > 0) {
    notes.push('moved the style to its own chunk after BREAK');
    return done([[...alone.kept, ...castUnits], ...pack(styleUnits, fits, 'the style', limit, notes)]);
  }
  notes.push(castUnits.length > 0 ? 'moved the characters and the style to a chunk after BREAK' : 'moved the style to its own chunk after BREAK');
  return done([alone.kept, ...pack([...castUnits, ...styleUnits], fits, 'the cast or style', limit, notes)]);
}

/** Splits a weighted prompt at top-level commas (commas inside (), [] or {} stay in their phrase). */
export function splitPhrases(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if ((ch === ')' || ch === ']' || ch === '}') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** One unit per character present: "Name, description" kept together so they travel as one. */
function castPhrases(input: PromptAssemblyInput, scene: string[], notes: string[]): string[] {
  const units: string[] = [];
  const seen = new Set<string>();
  for (const raw of input.characters) {
    const name = raw.trim();
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const entry = findCastMember(input.cast, name);
    const description = entry ? neutralise(entry.member.description.trim(), `${entry.name}'s description`, notes) : '';
    // A scene that already describes the character (the offline planner writes "(a white rabbit
    // with pink eyes:1.2) running") gets no second copy: no repeated names or descriptions.
    if (description && mentions(scene, description)) continue;
    if (description) units.push(mentions([description], entry!.name) ? description : `${entry!.name}, ${description}`);
    else if (!mentions(scene, name)) units.push(name);
  }
  return units;
}

/**
 * Drops scene phrases, least weighted and latest first, until `fits(kept)` or only protected phrases
 * remain (the first phrase, and any that names a character present).
 */
function shortenToFit(scene: string[], characters: string[], fits: (kept: string[]) => boolean): { kept: string[]; dropped: string[]; fitted: boolean } {
  if (fits(scene)) return { kept: scene, dropped: [], fitted: true };
  const protectedIdx = new Set<number>([0]);
  scene.forEach((p, i) => {
    if (characters.some((c) => mentions([p], c))) protectedIdx.add(i);
  });
  const order = scene
    .map((phrase, i) => ({ i, weight: phraseWeight(phrase) }))
    .filter((x) => !protectedIdx.has(x.i))
    .sort((a, b) => a.weight - b.weight || b.i - a.i);
  const droppedIdx = new Set<number>();
  for (const { i } of order) {
    droppedIdx.add(i);
    const kept = scene.filter((_, j) => !droppedIdx.has(j));
    if (fits(kept)) return { kept, dropped: scene.filter((_, j) => droppedIdx.has(j)), fitted: true };
  }
  return { kept: scene.filter((_, j) => !droppedIdx.has(j)), dropped: scene.filter((_, j) => droppedIdx.has(j)), fitted: false };
}

/** Greedily packs units into chunks that fit; a unit too long for any chunk gets one to itself. */
function pack(units: string[], fits: (u: string[]) => boolean, what: string, limit: number, notes: string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const unit of units) {
    if (current.length > 0 && fits([...current, unit])) {
      current.push(unit);
      continue;
    }
    if (current.length > 0) chunks.push(current);
    current = [unit];
    if (!fits(current)) notes.push(`${what} has a part longer than ${limit} tokens; kept whole, the encoder will split it`);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Style negatives and scene negatives, duplicates removed, laid out in chunks with BREAK. */
function fitNegative(parts: string[], countTokens: CountTokens, limit: number): string {
  const seen = new Set<string>();
  const phrases: string[] = [];
  for (const part of parts) {
    for (const phrase of splitPhrases(neutralise(part, '', []))) {
      const key = phrase.toLowerCase();
      if (!seen.has(key)) {
        seen.add(key);
        phrases.push(phrase);
      }
    }
  }
  const chunks = pack(phrases, (u) => countTokens(u.join(', ')) <= limit, 'the negative prompt', limit, []);
  return chunks.map((c) => c.join(', ')).join(' BREAK ');
}

/**
 * BREAK and AND are prompt syntax (new chunk, composable sub-prompt). Inside a description or the
 * style they would break the layout built here, so they are lower-cased into ordinary words.
 */
function neutralise(text: string, what: string, notes: string[]): string {
  const out = text.replace(/\b(BREAK|AND)\b/g, (w) => w.toLowerCase());
  if (out !== text && what) notes.push(`lower-cased BREAK/AND in ${what} (they are prompt syntax)`);
  return out;
}

/** The weight a phrase asks for: (x:1.3) -> 1.3, ((x)) -> 1.21, [x] -> 0.91, plain -> 1. */
function phraseWeight(phrase: string): number {
  const explicit = /:\s*(-?\d+(?:\.\d+)?)\s*\)\s*$/.exec(phrase);
  if (explicit) return Number(explicit[1]);
  const open = /^\(+/.exec(phrase)?.[0].length ?? 0;
  if (open > 0) return 1.1 ** open;
  const down = /^\[+/.exec(phrase)?.[0].length ?? 0;
  if (down > 0) return 1 / 1.1 ** down;
  return 1;
}

function mentions(phrases: string[], name: string): boolean {
  const re = new RegExp(`(^|[^\\p{L}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'iu');
  return phrases.some((p) => re.test(p) || re.test(plainText(parseWeightedPrompt(p))));
}

function quoteList(items: string[]): string {
  return items.map((s) => `"${s}"`).join(', ');
}
