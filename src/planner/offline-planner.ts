/**
 * The planner Taleframe uses when no LLM is configured (and the one the LLM planner falls back to).
 * It splits a passage into 1..6 scenes without any network: sentences are grouped into scenes,
 * cutting where the text shifts in time ("Presently", "At last", "The next morning"), place (a new
 * "in the meadow") or paragraph, and merging groups too short to draw; then each scene gets its
 * characters (compromise + capitalised names, pronouns carried over), action, setting, mood, shot and
 * a weighted prompt. Same input, same plan: it is deterministic.
 */
import { describeNewCharacter, findCharacters } from './character-finder.js';
import { splitSentences, wordCount, type Sentence } from './passage-sentences.js';
import { PLAN_LIMITS, capText, sceneCap, type PlanInput, type PlanResult, type PlannedScene, type Planner } from './plan.js';
import { findSetting, sceneDetails } from './scene-details.js';

/** Scenes shorter than this are merged into a neighbour; longer than MAX_WORDS are not grown. */
const MIN_WORDS = 30;
const MAX_WORDS = 130;

const STRONG_TIME = /^["“]?\s*(the next (day|morning|evening|night)|next (day|morning)|the following|later|meanwhile|that (night|evening|morning|afternoon)|at last|at length|after (a while|a time|that|some time)|by (the time|noon|evening|nightfall)|one day|on the day|presently|soon|all (afternoon|day|night|morning))\b/i;
const WEAK_TIME = /^["“]?\s*(then|when|suddenly|finally|afterwards|now)\b/i;

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

  const cast = findCharacters(sentences, input.cast ?? {});
  const groups = groupSentences(sentences, cast.perSentence, sceneCap(input));
  const scenes: PlannedScene[] = [];
  let previousSetting = '';
  for (const [from, to] of groups) {
    const slice = sentences.slice(from, to + 1);
    const perSentence = cast.perSentence.slice(from, to + 1);
    const characters = rankCharacters(perSentence).slice(0, PLAN_LIMITS.maxCharactersPerScene);
    const details = sceneDetails(slice, characters, perSentence, previousSetting);
    previousSetting = details.setting;
    const start = slice[0]!.start;
    const end = slice.at(-1)!.end;
    scenes.push({ passage: { start, end, text: passage.slice(start, end) }, characters, ...details });
  }
  const newCharacters = cast.newNames.slice(0, PLAN_LIMITS.maxNewCharacters).map((name) => ({
    name: capText(name, PLAN_LIMITS.maxNameChars),
    description: capText(describeNewCharacter(name, sentences), PLAN_LIMITS.maxDescriptionChars),
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
function groupSentences(sentences: Sentence[], perSentence: string[][], cap: number): Array<[number, number]> {
  const strength = sentences.map((s, i) => {
    if (i === 0) return Infinity;
    let score = 0;
    if (s.paragraph !== sentences[i - 1]!.paragraph) score += 1;
    if (STRONG_TIME.test(s.text)) score += 2;
    else if (WEAK_TIME.test(s.text)) score += 1;
    if (findSetting(s.text) !== '' && findSetting(s.text) !== findSetting(sentences[i - 1]!.text)) score += 1;
    const before = new Set(perSentence[i - 1] ?? []);
    if ((perSentence[i] ?? []).length > 0 && (perSentence[i] ?? []).every((c) => !before.has(c))) score += 0.5;
    return score;
  });
  let groups = sentences.map((s, i) => ({ from: i, to: i, words: wordCount(s.text) }));
  for (;;) {
    let best = -1;
    let bestKey = [Infinity, Infinity];
    for (let j = 1; j < groups.length; j++) {
      const a = groups[j - 1]!;
      const b = groups[j]!;
      const s = strength[b.from]!;
      const combined = a.words + b.words;
      const mustMerge = groups.length > cap || a.words < MIN_WORDS || b.words < MIN_WORDS || (s < 1.5 && combined <= MAX_WORDS);
      if (!mustMerge) continue;
      // Merging a short group wins over merging two full ones; otherwise the weakest gap goes first.
      const key = [s - (a.words < MIN_WORDS || b.words < MIN_WORDS ? 10 : 0), combined];
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
