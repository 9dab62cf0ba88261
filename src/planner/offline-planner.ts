/**
 * The planner Taleframe uses when no LLM is configured (and the one the LLM planner falls back to).
 * It reads English only: a passage in another language gets one sentence back (`notice`) and no
 * scenes. Otherwise it splits the passage into 1..6 scenes without any network: sentences are grouped
 * where the picture changes (a paragraph, a time shift such as "At last", a new place, a new group of
 * characters), merging groups too short to draw or with nothing to draw; each scene gets its
 * characters (see character-finder.ts), one action, its key objects, setting, time of day, weather,
 * mood, shot and a caption-shaped weighted prompt (scene-details.ts). New characters get a description
 * from the passage (character-description.ts). Same input, same plan: it is deterministic.
 */
import { findCastMember } from '../core/story/story.js';
import { describeCharacter } from './character-description.js';
import { findCharacters } from './character-finder.js';
import { detectLanguage, englishOnlyNotice } from './passage-language.js';
import { splitSentences, wordCount, type Sentence } from './passage-sentences.js';
import { PLAN_LIMITS, capText, sceneCap, type PlanInput, type PlanResult, type PlannedScene, type Planner } from './plan.js';
import { sceneDetails } from './scene-details.js';
import { findPlace, type SceneSetting } from './scene-setting.js';

/** Scenes shorter than this are merged into a neighbour; longer than MAX_WORDS are not grown. */
const MIN_WORDS = 30;
const MAX_WORDS = 130;

// Time shifts open a sentence or follow its subject ("The Tortoise meanwhile kept going").
const STRONG_TIME = /^["“]?\s*(?:[\p{L}'’-]+\s+){0,2}?(the next (day|morning|evening|night)|next (day|morning)|the following|later|meanwhile|that (night|evening|morning|afternoon)|at last|at length|after (a while|a time|that|some time)|by (the time|noon|evening|nightfall)|one (day|night|morning|evening)|on the day|presently|soon after|some days later|when the \w+ came|all (afternoon|day|night|morning))\b/iu;
const WEAK_TIME = /^["“]?\s*(then|when|suddenly|finally|afterwards|now|soon)\b/i;

export class OfflinePlanner implements Planner {
  readonly kind = 'offline' as const;

  async plan(input: PlanInput): Promise<PlanResult> {
    return planOffline(input);
  }
}

/** Plans a passage offline. */
export function planOffline(input: PlanInput): PlanResult {
  const notes: string[] = [];
  let passage = input.passage;
  if (passage.length > PLAN_LIMITS.maxPassageChars) {
    passage = passage.slice(0, PLAN_LIMITS.maxPassageChars);
    notes.push(`planned the first ${PLAN_LIMITS.maxPassageChars} characters of the passage`);
  }
  const all = splitSentences(passage);
  const heading = headingCount(all);
  if (heading > 0) notes.push('skipped the title line');
  const sentences = all.slice(heading);
  if (sentences.length === 0) return { scenes: [], newCharacters: [], planner: 'offline', notes: [...notes, 'the passage has no sentences to illustrate'] };

  const language = detectLanguage(sentences.map((x) => x.text).join(' '));
  if (!language.english) {
    const notice = englishOnlyNotice(language);
    return { scenes: [], newCharacters: [], planner: 'offline', notes: [...notes, notice], notice };
  }

  const cast = findCharacters(passage, sentences, input.cast ?? {});
  const unquoted = sentences.map((x) => cast.masked.slice(x.start, x.end));
  const descriptions = new Map(
    cast.newNames.map((name) => [name, capText(describeCharacter(cast.characters.get(name)!, cast.spans.get(name) ?? [], cast.masked), PLAN_LIMITS.maxDescriptionChars)]),
  );
  const describe = (name: string) => findCastMember(input.cast ?? {}, name)?.member.description || descriptions.get(name) || name;
  const characterWords = new Set(
    [...cast.characters.values()].flatMap((c) => [...c.name.toLowerCase().split(/\s+/), ...c.roles]).concat(Object.keys(input.cast ?? {}).map((k) => k.toLowerCase())),
  );
  const groups = groupSentences(sentences, unquoted, cast.perSentence, sceneCap(input));
  const scenes: PlannedScene[] = [];
  let previous: SceneSetting = { place: '', time: '', weather: '' };
  for (const [from, to] of groups) {
    const slice = sentences.slice(from, to + 1);
    const perSentence = cast.perSentence.slice(from, to + 1);
    const characters = rankCharacters(perSentence).slice(0, PLAN_LIMITS.maxCharactersPerScene);
    const { where, ...details } = sceneDetails({ sentences: unquoted.slice(from, to + 1), characters, perSentence, describe, previous, characterWords });
    previous = where;
    const start = slice[0]!.start;
    const end = slice.at(-1)!.end;
    scenes.push({ passage: { start, end, text: passage.slice(start, end) }, characters, ...details });
  }
  const newCharacters = cast.newNames.slice(0, PLAN_LIMITS.maxNewCharacters).map((name) => ({
    name: capText(name, PLAN_LIMITS.maxNameChars),
    description: descriptions.get(name)!,
  }));
  return { scenes, newCharacters, planner: 'offline', notes };
}

/**
 * A leading paragraph with no sentence punctuation at its line ends and few words is a title
 * ("The Fox and the Grapes"), not a scene. Returns how many sentences it spans.
 */
function headingCount(sentences: Sentence[]): number {
  const first = sentences.filter((s) => s.paragraph === sentences[0]?.paragraph);
  if (first.length === 0 || sentences.length === first.length) return 0;
  const text = first.map((s) => s.text).join('\n');
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const isHeading = lines.length <= 3 && wordCount(text) <= 30 && lines.every((l) => !/[.!?]["”’]?$/.test(l));
  return isHeading ? first.length : 0;
}

/**
 * Groups sentences into scenes. Every gap between sentences gets a strength (paragraph break 1,
 * time shift 1-2, new place 1); then the weakest gaps are closed first, while a group is too short to
 * draw, while a gap has no evidence of a scene change and the group stays small, or while there are
 * more groups than allowed. Returns inclusive [from, to] sentence indices.
 */
function groupSentences(sentences: Sentence[], unquoted: string[], perSentence: string[][], cap: number): Array<[number, number]> {
  const strength = sentences.map((s, i) => {
    if (i === 0) return Infinity;
    let score = 0;
    if (s.paragraph !== sentences[i - 1]!.paragraph) score += 1;
    if (STRONG_TIME.test(s.text)) score += 2;
    else if (WEAK_TIME.test(s.text)) score += 1;
    const place = findPlace(unquoted[i]!);
    if (place !== '' && place !== findPlace(unquoted[i - 1]!)) score += 1;
    const before = new Set(perSentence[i - 1] ?? []);
    if ((perSentence[i] ?? []).length > 0 && (perSentence[i] ?? []).every((c) => !before.has(c))) score += 0.5;
    return score;
  });
  // A group with nobody in it and no place to show ("Saturday morning was come, and all the summer
  // world was bright") is no picture on its own: it is merged like a group too short to draw.
  const empty = (g: { from: number; to: number }) =>
    perSentence.slice(g.from, g.to + 1).every((p) => p.length === 0) && !unquoted.slice(g.from, g.to + 1).some((t) => findPlace(t) !== '');
  let groups = sentences.map((s, i) => ({ from: i, to: i, words: wordCount(s.text) }));
  for (;;) {
    let best = -1;
    let bestKey = [Infinity, Infinity];
    for (let j = 1; j < groups.length; j++) {
      const a = groups[j - 1]!;
      const b = groups[j]!;
      const s = strength[b.from]!;
      const combined = a.words + b.words;
      const small = a.words < MIN_WORDS || b.words < MIN_WORDS || empty(a) || empty(b);
      const mustMerge = groups.length > cap || small || (s < 1.5 && combined <= MAX_WORDS);
      if (!mustMerge) continue;
      // Merging a short group wins over merging two full ones; otherwise the weakest gap goes first.
      const key = [s - (small ? 10 : 0), combined];
      if (key[0]! < bestKey[0]! || (key[0] === bestKey[0] && key[1]! < bestKey[1]!)) {
        best = j;
        bestKey = key;
      }
    }
    if (best < 0) break;
    const a = groups[best - 1]!;
    const b = groups[best]!;
    groups = [...groups.slice(0, best - 1), { from: a.from, to: b.to, words: a.words + b.words }, ...groups.slice(best + 1)];
  }
  return groups.map((g) => [g.from, g.to]);
}

/** Characters of a scene, most mentioned first (first mention breaks ties). */
function rankCharacters(perSentence: string[][]): string[] {
  const counts = new Map<string, number>();
  for (const names of perSentence) for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n);
}
