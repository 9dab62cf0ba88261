/**
 * Reads a scene's action, key objects, setting, mood and shot out of its sentences without an LLM,
 * and writes its weighted prompt in the shape of a picture caption: who (described), doing what, with
 * which things, where and when — "(a hungry fox:1.2) jumping at (grapes:1.1), trellis, in a vineyard
 * at dusk, medium shot". Only what can be drawn gets in: the action's object and the key objects are
 * nouns WordNet files under things (artifacts, food, plants, natural objects, substances), so "midst",
 * "life" and "world" never reach a prompt. Quoted speech is masked by the caller: what characters say
 * is not what the picture shows. Word lists match whole words only ("winter" is not "win").
 */
import nlp from 'compromise';
import { PLAN_LIMITS, capText, type PlannedScene } from './plan.js';
import { tagOffsets } from './character-mentions.js';
import { lookUpNoun } from './noun-lexicon.js';
import { findPlace, findSetting, isPlaceWord, settingPhrase, type SceneSetting } from './scene-setting.js';

const SKIP_VERBS = new Set(
  `be have do say reply ask answer tell seem will would can could shall should may might must begin let live dwell think know
  consider wish want feel become get hear wonder pretend love remember understand mean recommend bother procure try
  use go come please help keep need happen make show agree consent promise refuse prove name call fill bite break`.split(/\s+/),
);
/** Particles that complete a verb alone ("looked up") and prepositions that need their object. */
const PARTICLES = /^(up|down|away|out|back|off|around|about|along|aside)$/i;
const PREPOSITIONS = /^(over|across|into|onto|at|on|in|through|under|beneath|below|beside|behind|near|by|to|toward|towards|from|with|after|upon|against|past|inside|out of)$/i;
const NOT_OBJECTS = new Set(
  `thing things world earth way side end top bottom part piece pieces place air nothing something anything everything one
  paw paws tail head eyes eye nose legs leg mouth lips jaws feet foot hands hand face heart voice beak wing wings claws feathers
  fur mane whiskers remains inspiration yards`.split(/\s+/),
);
const WEATHER_WORDS = /^(snow|rain|fog|mist|frost|ice|sun|moon|sky|light|shade|shadow|shadows)$/;
const MOODS: Array<[string, string[]]> = [
  ['melancholy', ['melancholy', 'sad', 'sadly', 'sadness', 'sorrow', 'sorrows', 'sorrowful', 'discouraged', 'gloom', 'gloomy', 'hopeless', 'burden', 'weep', 'wept', 'weeping', 'tears', 'despair']],
  ['playful', ['mock', 'mocked', 'mocking', 'ridicule', 'ridiculous', 'laugh', 'laughed', 'laughing', 'laughter', 'amused', 'fun', 'jeer', 'jeered', 'played', 'playing']],
  ['bitter', ['angry', 'angrily', 'anger', 'rage', 'furious', 'scorn', 'scornful', 'despise', 'despised', 'sour']],
  ['tense', ['fear', 'feared', 'afraid', 'dread', 'terror', 'terrified', 'terribly', 'frightened', 'fright', 'danger', 'wicked', 'dark', 'darkness']],
  ['strained', ['hungry', 'hunger', 'thirst', 'thirsty', 'ached', 'aching', 'panting', 'tired', 'toil', 'pain']],
  ['energetic', ['ran', 'race', 'racing', 'swift', 'swiftest', 'darted', 'leapt', 'leaped', 'jumped', 'jumping', 'rushed', 'scamper', 'hurried']],
  ['peaceful', ['sleep', 'asleep', 'slept', 'sleeping', 'nap', 'peaceful', 'peacefully', 'quiet', 'quietly', 'dream', 'tranquil', 'tranquilly', 'snug']],
  ['cheerful', ['bright', 'fresh', 'cheer', 'cheerful', 'glad', 'gladness', 'joy', 'joyful', 'song', 'singing', 'bloom', 'merry', 'merrily', 'happy', 'lovely', 'delightfully']],
  ['triumphant', ['inspiration', 'magnificent', 'triumph', 'triumphant', 'win', 'won', 'victory', 'alacrity', 'free']],
];

/** A planned scene without its passage span and characters (the caller knows those). */
export type SceneDetails = Omit<PlannedScene, 'passage' | 'characters'>;

export interface SceneInput {
  /** The scene's sentences with quoted speech masked out. */
  sentences: string[];
  /** Characters present, most present first. */
  characters: string[];
  /** Characters present in each sentence. */
  perSentence: string[][];
  /** How each character looks (the sheet's description, or the one the planner wrote). */
  describe: (name: string) => string;
  /** The previous scene's setting: a scene that names no place stays where the story was. */
  previous: SceneSetting;
  /** Lower-case words that name the characters (names' words and role nouns), to find subjects. */
  characterWords: Set<string>;
}

/** Details and prompt of one scene. */
export function sceneDetails(input: SceneInput): SceneDetails & { where: SceneSetting } {
  const text = input.sentences.join(' ');
  const act = findAction(input);
  const found = findSetting(text);
  // The picture shows the action where it happens; else the scene's first place; else the last one.
  const place = (act.sentence >= 0 ? findPlace(input.sentences[act.sentence]!) : '') || found.place;
  const where: SceneSetting = {
    place: place || input.previous.place,
    time: found.time || input.previous.time,
    weather: found.weather || (place ? '' : input.previous.weather),
  };
  const objects = keyObjects(input.sentences, act, input.characterWords);
  // The picture's mood is its characters': sentences without anyone ("all the summer world was bright") count only when no sentence has someone.
  const peopled = input.sentences.filter((_, i) => (input.perSentence[i] ?? []).length > 0);
  const mood = moodOf(peopled.length > 0 ? peopled.join(' ') : text);
  const shown = input.characters.slice(0, 3);
  const shot = shown.length === 0 ? 'wide establishing shot' : shown.length === 1 ? 'medium shot' : 'medium wide shot';
  // Everyone present, alike ones counted ("four rabbits"), at most three phrases.
  const subjects = subjectPhrases(input.characters.map((c) => promptWords(input.describe(c)))).slice(0, 3).map((d) => `(${d}:1.2)`).join(' and ');
  // A thing doing the action is a second subject to draw: "(a fox:1.2) and (bunches of grapes:1.1) hanging".
  const join = act.doer ? ' and ' : ' ';
  const first = shown.length > 0 ? [subjects, act.weighted].filter(Boolean).join(join) : objects.slice(0, 1).map((o) => `(${o}:1.1)`).join('');
  const rest = shown.length > 0 ? objects : objects.slice(1);
  const setting = settingPhrase(where);
  const phrases = [first, ...rest, setting, mood === 'calm' ? '' : `${mood} mood`, shot].filter((p) => p !== '');
  const who = shown.join(' and ');
  return {
    action: capText(shown.length > 0 ? [who, act.text].filter(Boolean).join(join) : objects.join(', '), PLAN_LIMITS.maxFieldChars),
    setting: capText(setting.replace(/^(in|on|by) (a|an) /, ''), PLAN_LIMITS.maxFieldChars),
    mood,
    shot,
    prompt: capText(phrases.join(', '), PLAN_LIMITS.maxPromptChars),
    negativePrompt: 'text, watermark, extra limbs, deformed hands',
    where,
  };
}

/** Identical descriptions said once, counted: "a boy", "a boy" -> "two boys". */
function subjectPhrases(descriptions: string[]): string[] {
  const out: string[] = [];
  for (const d of descriptions) {
    const same = descriptions.filter((x) => x === d).length;
    if (same === 1) out.push(d);
    else if (!out.some((o) => o.endsWith(pluralOf(d)))) out.push(`${['', '', 'two', 'three', 'four', 'five'][same] ?? 'several'} ${pluralOf(d)}`);
  }
  return out;
}

function pluralOf(description: string): string {
  const bare = description.replace(/^(a|an)\s+/i, '');
  return (nlp(bare).nouns().toPlural().text() as string) || bare;
}

/** The mood most of its words suggest (whole words only; the earlier mood wins a tie). */
export function moodOf(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}'-]+/gu) ?? [];
  let best = { mood: 'calm', hits: 0 };
  for (const [mood, list] of MOODS) {
    const hits = words.filter((w) => list.includes(w)).length;
    if (hits > best.hits) best = { mood, hits };
  }
  return best.mood;
}

/**
 * One drawable action: a verb whose subject is a character present, as "-ing" with its particle and
 * a drawable object ("jumping at the grapes"). Verbs with a character subject come first, then those
 * with an object to draw, then the earliest.
 */
function findAction(input: SceneInput): { text: string; weighted: string; object: string; doer: string; sentence: number } {
  let best: { text: string; weighted: string; object: string; doer: string; sentence: number; score: number } | undefined;
  input.sentences.forEach((sentence, i) => {
    const present = (input.perSentence[i] ?? []).length > 0;
    const { nouns, verbPhrases } = tagOffsets(sentence);
    for (const verb of verbPhrases) {
      const { root, infinitive, grammar } = verb.verb;
      const first = infinitive?.replace(/^to /, '').split(' ')[0]?.toLowerCase();
      const base = first && (IRREGULAR[first] ?? first);
      if (!root || !base || SKIP_VERBS.has(base) || grammar?.passive) continue;
      const at = new RegExp(`\\b${escape(root.split(' ')[0]!)}\\b`, 'i').exec(sentence);
      // "was much amused": a state the subject is in, not something it does ("had been gorging" is);
      // "to bite": not done yet.
      if (!at) continue;
      const before = sentence.slice(0, at.index);
      if (/\bto\s+$/i.test(before) || (!/ing$/i.test(at[0]) && /\b(was|were|been|be|is|are)\s+(\w+\s+)?$/i.test(before))) continue;
      const rest = root.split(' ').slice(1).join(' ');
      const gerund = gerundOf(root.split(' ')[0]!, base) + (PARTICLES.test(rest) ? ` ${rest}` : '');
      const { particle, preposition, object } = objectAfter(sentence, at.index + root.length, nouns, input.characterWords);
      const subject = present && hasCharacterSubject(sentence.slice(0, at.index), input.characterWords);
      const score = (subject ? 4 : 0) + (present ? 1 : 0) + (object ? 2 : 0) - i * 0.01;
      if (best && best.score >= score) continue;
      // Without a character as its subject the action keeps its own: "grapes hanging from the trellis".
      const doer = subject ? '' : thingBefore(sentence.slice(0, at.index), input.characterWords);
      const text = [doer, gerund, particle, object ? `${preposition} the ${object}`.trim() : ''].filter(Boolean).join(' ');
      const weighted = [doer && `(${doer}:1.1)`, gerund, particle, object ? `${preposition} (${object}:1.1)`.trim() : ''].filter(Boolean).join(' ');
      best = { text, weighted, object, doer, sentence: i, score };
    }
  });
  return best ?? { text: '', weighted: '', object: '', doer: '', sentence: -1 };
}

/** The clause before the verb names a character, or is a pronoun standing for one. */
function hasCharacterSubject(before: string, characterWords: Set<string>): boolean {
  const clause = before.split(/[;:]|\b(?:and|but|when|while|until|because|which|that|so)\b/i).at(-1) ?? '';
  const words = (clause.toLowerCase().match(/[\p{L}'’-]+/gu) ?? []).slice(-12);
  return words.some((w) => characterWords.has(w.replace(/['’]s$/, '')) || /^(he|she|they|it)$/.test(w));
}

/** Words that hold or count a thing ("bunches of grapes"); the noun lexicon has few of them as things. */
const CONTAINERS = /^(bunch|bunches|basket|baskets|bag|bags|sack|sacks|pile|piles|heap|heaps|loaf|loaves|bucket|buckets|cup|cups|jar|jars|pot|pots|bowl|bowls|box|boxes|bundle|bundles|cluster|clusters|handful|handfuls|crate|crates|plate|plates)$/;

/**
 * The drawable noun a clause opens with, as the subject of a verb that is no character's, with the
 * container that holds it when the passage names one ("bunches of ripe purple grapes" -> "bunches of grapes").
 */
function thingBefore(before: string, characterWords: Set<string>): string {
  const clause = before.split(/[,;:]|\b(?:and|but|when|while|until|because|which|that|so)\b/i).at(-1) ?? '';
  const words = clause.toLowerCase().match(/[\p{L}'’-]+/gu) ?? [];
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i]!;
    const entry = lookUpNoun(w);
    if (!entry?.thing || entry.body || characterWords.has(entry.lemma) || NOT_OBJECTS.has(w) || isPlaceWord(w)) continue;
    // up to two describing words between "of" and the thing: "a basket of (fresh red) apples"
    const of = words.slice(Math.max(0, i - 3), i).lastIndexOf('of');
    const at = of < 0 ? -1 : Math.max(0, i - 3) + of;
    return at > 0 && CONTAINERS.test(words[at - 1]!) ? `${words[at - 1]} of ${w}` : w;
  }
  return '';
}

const gerunds = new Map<string, string>();
/** Past forms compromise sometimes hands back as the infinitive. */
const IRREGULAR: Record<string, string> = {
  went: 'go', came: 'come', ran: 'run', sat: 'sit', stood: 'stand', saw: 'see', took: 'take', gave: 'give', ate: 'eat',
  fell: 'fall', flew: 'fly', hid: 'hide', crept: 'creep', dwelt: 'dwell', began: 'begin', found: 'find', got: 'get',
  held: 'hold', knew: 'know', left: 'leave', made: 'make', met: 'meet', rode: 'ride', rose: 'rise', said: 'say', sang: 'sing',
  sent: 'send', slept: 'sleep', spoke: 'speak', swam: 'swim', threw: 'throw', told: 'tell', thought: 'think', woke: 'wake',
  wore: 'wear', brought: 'bring', caught: 'catch', fought: 'fight', hung: 'hang', drank: 'drink', drew: 'draw', broke: 'break',
  grew: 'grow', leapt: 'leap', bore: 'bear', shone: 'shine', spread: 'spread', hurried: 'hurry', carried: 'carry',
};

/** "-ing" form of a verb as written ("lay" in "lay asleep" is "lying"; "mark" -> "marking"). */
function gerundOf(written: string, infinitive: string): string {
  if (/^lay$/i.test(written) && infinitive === 'lay') return 'lying';
  let gerund = gerunds.get(infinitive);
  if (!gerund) {
    const forms = (nlp(infinitive).tag('Infinitive') as ReturnType<typeof nlp>).verbs().conjugate()[0] as { Gerund?: string } | undefined;
    gerund = forms?.Gerund ?? `${infinitive}ing`;
    if (gerunds.size < 5000) gerunds.set(infinitive, gerund);
  }
  return gerund;
}

/** The particle after a verb, and the first drawable noun within six words with its preposition. */
function objectAfter(sentence: string, from: number, nouns: Set<number>, characterWords: Set<string>): { particle: string; preposition: string; object: string } {
  const tail = sentence.slice(from).split(/[,.;:!?—()]/)[0] ?? '';
  const words = [...tail.matchAll(/[\p{L}][\p{L}'’-]*/gu)].slice(0, 8);
  const particle = words[0] && PARTICLES.test(words[0][0]) ? words[0][0].toLowerCase() : '';
  let preposition = '';
  for (const m of words.slice(particle ? 1 : 0)) {
    const clean = m[0].toLowerCase().replace(/['’]s$/, '');
    if (/^(and|but|when|while|until|because|that|which|who|as)$/.test(clean)) break;
    if (PREPOSITIONS.test(clean)) {
      preposition = clean;
      continue;
    }
    const entry = lookUpNoun(clean);
    if (!entry?.thing || !nouns.has(from + m.index!) || entry.body || NOT_OBJECTS.has(clean) || WEATHER_WORDS.test(clean) || isPlaceWord(clean) || isCharacterWord(m[0].replace(/['’]s$/, ''), characterWords)) continue;
    // "a bucket of whitewash", "a bunch of grapes": the container and what it holds.
    const of = /^ of (?:\p{Ll}+ ){0,2}?(\p{Ll}+)/u.exec(sentence.slice(from + m.index! + m[0].length));
    const held = of && lookUpNoun(of[1]!);
    return { particle, preposition, object: held?.thing && !held.character && !held.body ? `${clean} of ${of![1]}` : clean };
  }
  return { particle, preposition: '', object: '' };
}

/** A character of this passage, or a word whose most frequent sense is a person or animal ("mother"). */
function isCharacterWord(word: string, characterWords: Set<string>): boolean {
  const entry = lookUpNoun(word);
  return characterWords.has(word.toLowerCase()) || (!!entry && characterWords.has(entry.lemma)) || (entry?.rank === 1 && !/^\p{Lu}/u.test(word));
}

/**
 * Up to three things a picture of the scene shows: drawable nouns, most mentioned first, with an
 * "of" complement kept ("bucket of whitewash", "bunch of grapes"); places and body parts left out.
 */
function keyObjects(sentences: string[], act: { object: string; doer: string }, characterWords: Set<string>): string[] {
  const counts = new Map<string, { count: number; first: number; phrase: string }>();
  let index = 0;
  for (const sentence of sentences) {
    const { nouns } = tagOffsets(sentence);
    const words = [...sentence.matchAll(/[\p{L}][\p{L}'’-]*/gu)];
    words.forEach((m, i) => {
      index++;
      const word = m[0].toLowerCase().replace(/['’]s$/, '');
      const entry = lookUpNoun(word);
      if (!entry?.thing || entry.body || NOT_OBJECTS.has(word) || isPlaceWord(word) || WEATHER_WORDS.test(word)) return;
      if (!nouns.has(m.index!)) return; // "net" the noun, not "saw" the verb
      if (characterWords.has(entry.lemma) || (entry.rank === 1 && !/^\p{Lu}/u.test(m[0]))) return; // a character, not a thing
      const next = words[i + 1]?.[0];
      const complement = next === 'of' && sentence.slice(m.index! + m[0].length, words[i + 1]!.index!) === ' ' ? words[i + 2]?.[0] : undefined;
      const ofEntry = complement ? lookUpNoun(complement) : undefined;
      const ofThing = complement && ofEntry?.thing && !ofEntry.character && !ofEntry.body ? complement.toLowerCase() : undefined;
      const row = counts.get(entry.lemma) ?? { count: 0, first: index, phrase: ofThing ? `${word} of ${ofThing}` : word };
      row.count++;
      counts.set(entry.lemma, row);
      if (ofThing) counts.set(ofEntry!.lemma, { count: -99, first: index, phrase: '' }); // said inside the phrase already
    });
  }
  // The nouns the action already said ("bunches of grapes" said "bunches" and "grapes", not "of").
  const said = new Set([act.object, act.doer].flatMap((x) => x.split(' ')).filter((w) => w !== '' && w !== 'of'));
  return [...counts.entries()]
    .filter(([key, r]) => r.count > 0 && r.phrase && !said.has(key) && !r.phrase.split(' ').some((w) => said.has(w)))
    .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
    .slice(0, 3)
    .map(([, r]) => r.phrase);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Passage words made safe for the weighted syntax: brackets and colons would read as weights. */
export function promptWords(text: string): string {
  return text.replace(/[\\()[\]{}:|<>]/g, ' ').replace(/\bBREAK\b|\bAND\b/g, (w) => w.toLowerCase()).replace(/\s+/g, ' ').trim();
}
