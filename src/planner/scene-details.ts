/**
 * Reads a scene's action, setting, mood and shot out of its sentences without an LLM, and writes its
 * weighted prompt. Actions are the first main verb of a sentence that has a character (auxiliaries
 * like "was" and speech verbs like "said" are skipped), turned into "-ing" form with what follows
 * it; settings are prepositional phrases whose head is a place ("in the vineyard", "by the river");
 * moods come from a small word list. The prompt puts the characters first at weight 1.2 and the
 * action's object at 1.1, as EpicDiffusion's weighting does for a passage's key subjects.
 */
import nlp from 'compromise';
import { PLAN_LIMITS, capText, type PlannedScene } from './plan.js';
import type { Sentence } from './passage-sentences.js';

const SKIP_VERBS = new Set(['be', 'have', 'do', 'say', 'reply', 'ask', 'seem', 'will', 'would', 'can', 'could', 'shall', 'should', 'may', 'might', 'must', 'begin', 'let']);
const STOP_AFTER_VERB = /^(and|but|or|when|while|as|because|so|until|till|then|that|which|who|if|for)$/i;
const DANGLING = /^(a|an|the|his|her|their|its|my|your|our|with|in|on|at|of|to|by|for|from|into|upon|very)$/i;
const TIME_WORDS = /^(day|days|morning|evening|night|afternoon|time|times|moment|while|hour|week|year)$/i;
const PLACE_WORDS = new Set(
  `forest wood woods river stream brook lake sea shore beach road path lane street sidewalk fence garden orchard vineyard
  trellis vine field fields meadow meadows hill hilltop mountain valley village town city house home kitchen room hall
  castle tower church barn farm yard courtyard gate door window bridge well cave den nest tree oak roadside grass
  shade sun market square camp ship boat harbour harbor island desert plain course goal palace inn school`.split(/\s+/),
);
const PREPOSITIONS = 'in|on|at|by|under|beneath|beside|near|along|across|through|into|over|inside|outside|behind|upon|among|around|toward|towards|from|up|down';
const PLACE_PHRASE = new RegExp(
  `\\b(${PREPOSITIONS})\\s+((?:the|a|an|his|her|their|its)\\s+)?((?:[\\p{Ll}-]+\\s+){0,2}([\\p{Ll}-]+))`,
  'giu',
);
const MOODS: Array<[RegExp, string]> = [
  [/\b(melanchol\w*|sad\w*|sorrow\w*|discourag\w*|gloom\w*|hopeless|burden|hollow|weep\w*|tears?)\b/i, 'melancholy'],
  [/\b(mock\w*|ridicul\w*|laugh\w*|amused|fun|jeer\w*)\b/i, 'playful'],
  [/\b(angr\w*|rage|furious|scorn\w*|despis\w*|sour)\b/i, 'bitter'],
  [/\b(fear\w*|afraid|dread\w*|terr\w*|dark)\b/i, 'tense'],
  [/\b(hungr\w*|thirst\w*|ach\w*|panting|tired)\b/i, 'strained'],
  [/\b(ran|race|swift\w*|dart\w*|leap\w*|jump\w*|rush\w*)\b/i, 'energetic'],
  [/\b(sleep\w*|slept|nap|peaceful\w*|quiet|dream\w*|tranquil\w*)\b/i, 'peaceful'],
  [/\b(bright|fresh|cheer\w*|glad\w*|joy\w*|song|bloom|merry|happy)\b/i, 'cheerful'],
  [/\b(inspiration|magnificent|triumph\w*|win\w*|alacrity)\b/i, 'triumphant'],
];

/** A planned scene without its passage span and characters (the caller knows those). */
export type SceneDetails = Omit<PlannedScene, 'passage' | 'characters'>;

/** Details for one scene: its sentences, the characters in each, and the previous scene's setting. */
export function sceneDetails(sentences: Sentence[], characters: string[], perSentence: string[][], previousSetting: string): SceneDetails {
  const text = sentences.map((s) => s.text).join(' ');
  const act = findAction(sentences, perSentence, characters);
  const setting = findSetting(text) || previousSetting;
  const mood = MOODS.find(([re]) => re.test(text))?.[1] ?? 'calm';
  const shot = characters.length === 0 ? 'wide establishing shot' : characters.length === 1 ? 'medium shot' : 'medium wide shot';
  // Without characters the picture's subject is the place and its things: the first few nouns.
  const subjects =
    characters.length > 0
      ? characters.map((c) => `(${promptWords(c).toLowerCase()}:1.2)`).join(' and ')
      : keyNouns(text).map((n) => `(${n}:1.1)`).join(', ');
  const phrases = [
    subjects,
    characters.length > 0 ? act.weighted : '',
    setting ? promptWords(setting) : '',
    `${mood} mood`,
    shot,
  ].filter((p) => p !== '');
  return {
    action: capText(characters.length > 0 ? act.text || `${characters.join(' and ')} in the scene` : keyNouns(text).join(', '), PLAN_LIMITS.maxFieldChars),
    setting: capText(setting, PLAN_LIMITS.maxFieldChars),
    mood,
    shot,
    prompt: capText(phrases.join(', '), PLAN_LIMITS.maxPromptChars),
    negativePrompt: 'text, watermark, extra limbs, deformed hands',
  };
}

/** The first main verb in a sentence that has a character; "Fox jumping at the grapes". */
function findAction(sentences: Sentence[], perSentence: string[][], characters: string[]): { text: string; weighted: string } {
  const order = sentences.map((s, i) => ({ s, who: perSentence[i] ?? [] })).sort((a, b) => Number(b.who.length > 0) - Number(a.who.length > 0));
  for (const { s, who } of order) {
    for (const verb of nlp(unquoted(s.text)).verbs().json() as Array<{ verb: { root: string; infinitive: string } }>) {
      const { root, infinitive } = verb.verb;
      if (!root || !infinitive || SKIP_VERBS.has(infinitive.toLowerCase())) continue;
      const rest = wordsAfter(s.text, root).map(promptWords).filter(Boolean);
      const gerundVerb = (nlp(infinitive).verbs().conjugate()[0] as { Gerund?: string } | undefined)?.Gerund ?? root;
      const gerund = [gerundVerb, ...rest].join(' ');
      const object = rest.filter((w) => nlp(w).has('#Noun') && !nlp(w).has('#Pronoun') && !TIME_WORDS.test(w)).at(-1);
      const subject = who[0] ?? characters[0] ?? '';
      const weighted = [gerundVerb, ...rest.map((w) => (w === object ? `(${w.toLowerCase()}:1.1)` : w))].join(' ');
      return { text: `${subject} ${gerund}`.trim(), weighted };
    }
  }
  return { text: '', weighted: '' };
}

/** Up to five words after the verb, stopping at punctuation or a conjunction. */
function wordsAfter(text: string, root: string): string[] {
  const at = new RegExp(`\\b${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').exec(text);
  if (!at) return [];
  const tail = text.slice(at.index + at[0].length).split(/[,.;:!?"“”—()]/)[0] ?? '';
  const out: string[] = [];
  for (const w of tail.trim().split(/\s+/).filter(Boolean)) {
    if (STOP_AFTER_VERB.test(w) || out.length >= 5) break;
    out.push(w);
  }
  while (out.length > 0 && DANGLING.test(out.at(-1)!)) out.pop();
  return out;
}

/** The first prepositional phrase whose head noun is a place, e.g. "in the green meadow". */
export function findSetting(text: string): string {
  for (const m of unquoted(text).matchAll(PLACE_PHRASE)) {
    const words = m[3]!.split(/\s+/);
    for (let n = words.length; n > 0; n--) {
      const head = words[n - 1]!.toLowerCase();
      if (PLACE_WORDS.has(head)) return `${m[1]!.toLowerCase()} ${m[2] ?? ''}${words.slice(0, n).join(' ')}`.replace(/\s+/g, ' ');
    }
  }
  return '';
}

/** Drops quoted speech: what characters say is not what the picture shows. */
function unquoted(text: string): string {
  return text.replace(/["“][^"”]*["”]/g, ' ');
}

/** Passage words made safe for the weighted syntax: brackets and colons would read as weights. */
export function promptWords(text: string): string {
  return text.replace(/[\\()[\]{}:|<>]/g, ' ').replace(/\bBREAK\b|\bAND\b/g, (w) => w.toLowerCase()).replace(/\s+/g, ' ').trim();
}

/** The first few nouns of a scene without characters, for its subject ("summer world", "blossoms"). */
function keyNouns(text: string): string[] {
  const nouns = nlp(unquoted(text)).nouns().not('#Pronoun').out('array') as string[];
  const out: string[] = [];
  for (const noun of nouns) {
    const clean = promptWords(noun.replace(/^(the|a|an|all|every|some)\s+/i, '')).toLowerCase().replace(/[.,;!?]+$/, '');
    if (clean && !TIME_WORDS.test(clean) && !/^(all|every|some|there|it|this|that)$/.test(clean) && !out.includes(clean)) out.push(clean);
    if (out.length === 3) break;
  }
  return out;
}
