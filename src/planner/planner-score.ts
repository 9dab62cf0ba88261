/**
 * Scores a planner's plan of a passage against what an illustrator expects to draw (the set under
 * test/planner-passages/). The rules are exact and documented in docs/planner-scores.md:
 * - a name is normalised (lower case, a leading "the/a/an" and full stops dropped, hyphens and runs of
 *   spaces read as one space); a planned character matches an expected one when its normalised name
 *   equals the expected name or one of its aliases. Each expected character is matched at most once:
 *   a second planned character for it (a duplicate) counts against precision;
 * - recall = matched expected characters / expected characters; precision = matched planned
 *   characters / planned characters (the plan's new characters, the sheet being empty);
 * - an expected setting is found when some scene's setting contains one of its words as whole words;
 * - the scene count must lie in the expected inclusive range;
 * - a passage expected to be declined (not English, for the offline planner) passes when the plan has
 *   no scenes and a notice for the group; it adds nothing to the character and setting figures.
 */
import type { PlanResult } from './plan.js';

export interface ExpectedCharacter {
  name: string;
  aliases?: string[];
}

export interface PassageExpectation {
  file: string;
  split: 'dev' | 'held-out';
  language: string;
  characters?: ExpectedCharacter[];
  /** Each inner list is one setting, given as the words that would name it. */
  settings?: string[][];
  scenes?: [number, number];
  declined?: boolean;
}

export interface PassageScore {
  file: string;
  split: PassageExpectation['split'];
  declined: boolean;
  expectedCharacters: number;
  matchedExpected: number;
  plannedCharacters: number;
  matchedPlanned: number;
  missing: string[];
  extra: string[];
  expectedSettings: number;
  foundSettings: number;
  missingSettings: string[];
  scenes: number;
  sceneRange: [number, number];
  scenesInRange: boolean;
  /** For declined passages: the planner declined as expected. */
  declinedCorrectly?: boolean;
}

/** "The Wood-Cutter" -> "wood cutter"; "Mr. McGregor" -> "mr mcgregor". */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/’/g, "'").replace(/\./g, '').replace(/^(the|a|an)\s+/, '').replace(/[-\s]+/g, ' ').trim();
}

function containsWords(haystack: string, needle: string): boolean {
  const h = ` ${normaliseName(haystack).replace(/[^\p{L}' ]/gu, ' ').replace(/\s+/g, ' ')} `;
  return h.includes(` ${normaliseName(needle)} `);
}

/** Scores one plan against one expectation. */
export function scorePlan(expected: PassageExpectation, plan: PlanResult): PassageScore {
  const scenes = plan.scenes.length;
  const range: [number, number] = expected.declined ? [0, 0] : (expected.scenes ?? [1, 6]);
  const base = { file: expected.file, split: expected.split, scenes, sceneRange: range, scenesInRange: scenes >= range[0] && scenes <= range[1] };
  if (expected.declined) {
    const declinedCorrectly = scenes === 0 && !!plan.notice;
    return {
      ...base, declined: true, declinedCorrectly, expectedCharacters: 0, matchedExpected: 0, plannedCharacters: 0, matchedPlanned: 0,
      missing: [], extra: [], expectedSettings: 0, foundSettings: 0, missingSettings: [],
    };
  }
  const wanted = (expected.characters ?? []).map((c) => ({ name: c.name, keys: new Set([c.name, ...(c.aliases ?? [])].map(normaliseName)), matched: false }));
  const extra: string[] = [];
  let matchedPlanned = 0;
  for (const planned of plan.newCharacters) {
    const hit = wanted.find((w) => !w.matched && w.keys.has(normaliseName(planned.name)));
    if (hit) {
      hit.matched = true;
      matchedPlanned++;
    } else extra.push(planned.name);
  }
  const settings = expected.settings ?? [];
  const missingSettings = settings.filter((words) => !plan.scenes.some((s) => words.some((w) => containsWords(s.setting, w)))).map((w) => w[0]!);
  return {
    ...base,
    declined: false,
    expectedCharacters: wanted.length,
    matchedExpected: wanted.filter((w) => w.matched).length,
    plannedCharacters: plan.newCharacters.length,
    matchedPlanned,
    missing: wanted.filter((w) => !w.matched).map((w) => w.name),
    extra,
    expectedSettings: settings.length,
    foundSettings: settings.length - missingSettings.length,
    missingSettings,
  };
}

export interface ScoreTotals {
  passages: number;
  characterRecall: number;
  characterPrecision: number;
  settingRecall: number;
  scenesInRange: number;
  declinedCorrectly: number;
  declinedExpected: number;
}

/** Micro-averaged figures over a set of passage scores. */
export function totals(scores: PassageScore[]): ScoreTotals {
  const sum = (f: (s: PassageScore) => number) => scores.reduce((a, s) => a + f(s), 0);
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    passages: scores.length,
    characterRecall: ratio(sum((s) => s.matchedExpected), sum((s) => s.expectedCharacters)),
    characterPrecision: ratio(sum((s) => s.matchedPlanned), sum((s) => s.plannedCharacters)),
    settingRecall: ratio(sum((s) => s.foundSettings), sum((s) => s.expectedSettings)),
    scenesInRange: sum((s) => (s.scenesInRange ? 1 : 0)),
    declinedCorrectly: sum((s) => (s.declinedCorrectly ? 1 : 0)),
    declinedExpected: sum((s) => (s.declined ? 1 : 0)),
  };
}
